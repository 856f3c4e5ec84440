import COpenCL

/// An OpenCL program built for one device, from source or from a cached binary.
public final class Program: @unchecked Sendable {
    // Built programs are immutable and their API calls thread-safe.
    let handle: cl_program
    /// The name errors and logs use: the kernel file name, e.g. `gemm.cl`.
    public let name: String
    public let context: Context
    /// The build options it was built with (`-D` defines carry tile sizes).
    public let options: String
    /// How this build was obtained, for logs and tests.
    public let origin: Origin

    public enum Origin: Sendable, Equatable {
        case compiledFromSource
        case loadedFromCache
    }

    /// Builds `source` for the context's device, through `cache` when one is given:
    /// a valid cached binary is used as is; a missing, corrupt or rejected one is rebuilt from
    /// source and stored again.
    public convenience init(context: Context, name: String, source: String, options: String = "",
                            cache: ProgramCache? = nil) throws {
        let key = ProgramCache.Key(device: context.device, options: options, source: source)
        if let cache, let binary = cache.binary(for: key),
           let handle = try? Program.buildFromBinary(context: context, binary: binary, options: options) {
            self.init(handle: handle, name: name, context: context, options: options, origin: .loadedFromCache)
            return
        }
        let handle = try Program.buildFromSource(context: context, name: name, source: source, options: options)
        self.init(handle: handle, name: name, context: context, options: options, origin: .compiledFromSource)
        if let cache, let binary = try? self.binary() {
            cache.store(binary, for: key)
        }
    }

    private init(handle: cl_program, name: String, context: Context, options: String, origin: Origin) {
        self.handle = handle
        self.name = name
        self.context = context
        self.options = options
        self.origin = origin
    }

    deinit { clReleaseProgram(handle) }

    /// Makes the kernel called `name`.
    public func kernel(_ name: String) throws -> Kernel {
        try Kernel(program: self, name: name)
    }

    /// The device binary, as stored by the program cache.
    public func binary() throws -> [UInt8] {
        let sizes = try queryArray("clGetProgramInfo", of: Int.self) {
            clGetProgramInfo(handle, cl_program_info(CL_PROGRAM_BINARY_SIZES), $0, $1, $2)
        }
        guard sizes.count == 1, sizes[0] > 0 else {
            throw OpenCLError.invalidRequest("program '\(name)' has no binary to cache")
        }
        var bytes = [UInt8](repeating: 0, count: sizes[0])
        let status = bytes.withUnsafeMutableBufferPointer { buffer -> cl_int in
            var pointer: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return withUnsafeMutablePointer(to: &pointer) { slot in
                clGetProgramInfo(handle, cl_program_info(CL_PROGRAM_BINARIES),
                                 MemoryLayout<UnsafeMutablePointer<UInt8>?>.size, slot, nil)
            }
        }
        try OpenCLError.check(status, "clGetProgramInfo(CL_PROGRAM_BINARIES)")
        return bytes
    }

    private static func buildFromSource(context: Context, name: String, source: String,
                                        options: String) throws -> cl_program {
        var status: cl_int = CL_SUCCESS
        let utf8Length = source.utf8.count
        let handle: cl_program? = source.withCString { text in
            var pointer: UnsafePointer<CChar>? = text
            var length = utf8Length
            return clCreateProgramWithSource(context.handle, 1, &pointer, &length, &status)
        }
        try OpenCLError.check(status, "clCreateProgramWithSource(\(name))")
        guard let handle else { throw OpenCLError.call("clCreateProgramWithSource(\(name))", code: CL_INVALID_PROGRAM) }
        try build(handle, context: context, name: name, options: options)
        return handle
    }

    private static func buildFromBinary(context: Context, binary: [UInt8], options: String) throws -> cl_program {
        var status: cl_int = CL_SUCCESS
        var binaryStatus: cl_int = CL_SUCCESS
        var deviceID: cl_device_id? = context.device.id
        var length = binary.count
        let handle: cl_program? = binary.withUnsafeBufferPointer { bytes in
            var pointer: UnsafePointer<UInt8>? = bytes.baseAddress
            return clCreateProgramWithBinary(context.handle, 1, &deviceID, &length, &pointer, &binaryStatus, &status)
        }
        try OpenCLError.check(status, "clCreateProgramWithBinary")
        try OpenCLError.check(binaryStatus, "clCreateProgramWithBinary(binary status)")
        guard let handle else { throw OpenCLError.call("clCreateProgramWithBinary", code: CL_INVALID_BINARY) }
        do {
            try build(handle, context: context, name: "cached binary", options: options)
        } catch {
            clReleaseProgram(handle)
            throw error
        }
        return handle
    }

    private static func build(_ handle: cl_program, context: Context, name: String, options: String) throws {
        var deviceID: cl_device_id? = context.device.id
        let status = clBuildProgram(handle, 1, &deviceID, options, nil, nil)
        if status == CL_SUCCESS { return }
        let log = (try? queryString("clGetProgramBuildInfo") {
            clGetProgramBuildInfo(handle, context.device.id, cl_program_build_info(CL_PROGRAM_BUILD_LOG), $0, $1, $2)
        }) ?? ""
        clReleaseProgram(handle)
        if status == CL_BUILD_PROGRAM_FAILURE || status == CL_INVALID_BUILD_OPTIONS || !log.isEmpty {
            throw OpenCLError.buildFailed(program: name, device: context.device.name, options: options,
                                          log: log.isEmpty ? OpenCLError.symbolicName(of: status) : log)
        }
        throw OpenCLError.call("clBuildProgram(\(name))", code: status)
    }
}
