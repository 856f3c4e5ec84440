import COpenCL

/// The shape shared by every `clGet*Info` function once its object and parameter are bound:
/// (size of the value buffer, the buffer, where to write the size needed) -> status.
typealias InfoGetter = (Int, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?) -> cl_int

/// Reads a NUL-terminated string property.
func queryString(_ call: String, _ get: InfoGetter) throws -> String {
    var size = 0
    try OpenCLError.check(get(0, nil, &size), call)
    guard size > 0 else { return "" }
    var bytes = [UInt8](repeating: 0, count: size)
    try bytes.withUnsafeMutableBytes { try OpenCLError.check(get(size, $0.baseAddress, nil), call) }
    let text = bytes.prefix { $0 != 0 }
    return String(decoding: text, as: UTF8.self).trimmingTrailingWhitespace()
}

/// Reads a fixed-size scalar property (cl_uint, cl_ulong, size_t, cl_bitfield ...).
func queryValue<T: BitwiseCopyable>(_ call: String, as type: T.Type, _ get: InfoGetter) throws -> T {
    precondition(MemoryLayout<T>.size <= MemoryLayout<UInt64>.size, "queryValue reads scalars only")
    var value: UInt64 = 0
    try withUnsafeMutableBytes(of: &value) { raw in
        try OpenCLError.check(get(MemoryLayout<T>.size, raw.baseAddress, nil), call)
    }
    return withUnsafeBytes(of: value) { $0.loadUnaligned(as: T.self) }
}

/// Reads an array property whose length the runtime reports in bytes.
func queryArray<T: BitwiseCopyable>(_ call: String, of type: T.Type, _ get: InfoGetter) throws -> [T] {
    var size = 0
    try OpenCLError.check(get(0, nil, &size), call)
    let count = size / MemoryLayout<T>.stride
    guard count > 0 else { return [] }
    return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        try OpenCLError.check(get(size, UnsafeMutableRawPointer(buffer.baseAddress), nil), call)
        initialized = count
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
