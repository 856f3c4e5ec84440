import CCLBlast

/// CLBlast's `CLBlastSgemm` on an OpenCL device: the tuned OpenCL BLAS the engine's kernels are
/// measured against on the same device.
///
/// The engine's `OpenCL` module keeps its handles to itself, so this contender makes its own
/// context, queue and buffers through the C API, on the device with the same number in
/// `Device.all()` order (platforms in order, every device type), and checks that the names agree.
/// The timed multiply is `CLBlastSgemm` then `clFinish`.
public final class CLBlastContender: GEMMContender {
    public let name = "CLBlast"
    public let detail: String
    let context: cl_context
    let queue: cl_command_queue

    /// - Parameters:
    ///   - deviceIndex: the device's number in `Device.all()` order.
    ///   - expectedName: the device name the engine reports for that number; a mismatch throws.
    public init(deviceIndex: Int, expectedName: String) throws {
        let (platform, device) = try Self.device(at: deviceIndex)
        let deviceName = try Self.string { clGetDeviceInfo(device, cl_device_info(CL_DEVICE_NAME), $0, $1, $2) }
        guard deviceName == expectedName else {
            throw BenchmarkFailure("CLBlast found '\(deviceName)' as device \(deviceIndex), the engine '\(expectedName)'")
        }
        let platformName = try Self.string { clGetPlatformInfo(platform, cl_platform_info(CL_PLATFORM_NAME), $0, $1, $2) }

        var status: cl_int = CL_SUCCESS
        var devices: [cl_device_id?] = [device]
        guard let context = clCreateContext(nil, 1, &devices, nil, nil, &status), status == CL_SUCCESS else {
            throw BenchmarkFailure("clCreateContext failed: \(status)")
        }
        guard let queue = clCreateCommandQueue(context, device, 0, &status), status == CL_SUCCESS else {
            clReleaseContext(context)
            throw BenchmarkFailure("clCreateCommandQueue failed: \(status)")
        }
        self.context = context
        self.queue = queue
        detail = "CLBlast CLBlastSgemm on \(deviceName) (\(platformName))"
    }

    deinit {
        clReleaseCommandQueue(queue)
        clReleaseContext(context)
    }

    public func prepare(_ problem: SquareGEMM) throws -> any GEMMWorkload {
        try CLBlastWorkload(self, problem)
    }

    /// Device `index` counting every device of every platform in order, as `Device.all()` does.
    static func device(at index: Int) throws -> (cl_platform_id, cl_device_id) {
        var platformCount: cl_uint = 0
        guard clGetPlatformIDs(0, nil, &platformCount) == CL_SUCCESS, platformCount > 0 else {
            throw BenchmarkFailure("no OpenCL platform found")
        }
        var platforms = [cl_platform_id?](repeating: nil, count: Int(platformCount))
        try check(clGetPlatformIDs(platformCount, &platforms, nil), "clGetPlatformIDs")
        var remaining = index
        for case let platform? in platforms {
            var count: cl_uint = 0
            let all = cl_device_type(CL_DEVICE_TYPE_ALL)
            let status = clGetDeviceIDs(platform, all, 0, nil, &count)
            if status == CL_DEVICE_NOT_FOUND { continue }
            try check(status, "clGetDeviceIDs")
            if remaining < Int(count) {
                var devices = [cl_device_id?](repeating: nil, count: Int(count))
                try check(clGetDeviceIDs(platform, all, count, &devices, nil), "clGetDeviceIDs")
                guard let device = devices[remaining] else { break }
                return (platform, device)
            }
            remaining -= Int(count)
        }
        throw BenchmarkFailure("no OpenCL device \(index)")
    }

    static func string(_ query: (Int, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?) -> cl_int) throws -> String {
        var size = 0
        try check(query(0, nil, &size), "clGet*Info")
        var bytes = [CChar](repeating: 0, count: max(size, 1))
        try check(bytes.withUnsafeMutableBytes { query(size, $0.baseAddress, nil) }, "clGet*Info")
        return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func check(_ status: cl_int, _ call: String) throws {
        guard status == CL_SUCCESS else { throw BenchmarkFailure("\(call) failed: \(status)") }
    }
}

final class CLBlastWorkload: GEMMWorkload {
    let owner: CLBlastContender
    let n: Int
    let a: cl_mem, b: cl_mem, c: cl_mem

    init(_ owner: CLBlastContender, _ problem: SquareGEMM) throws {
        self.owner = owner
        n = problem.n
        func buffer(_ values: [Float]) throws -> cl_mem {
            var status: cl_int = CL_SUCCESS
            var copy = values
            let flags = cl_mem_flags(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR)
            let made = copy.withUnsafeMutableBytes {
                clCreateBuffer(owner.context, flags, $0.count, $0.baseAddress, &status)
            }
            guard let made, status == CL_SUCCESS else { throw BenchmarkFailure("clCreateBuffer failed: \(status)") }
            return made
        }
        a = try buffer(problem.a)
        b = try buffer(problem.b)
        c = try buffer([Float](repeating: 0, count: n * n))
    }

    deinit {
        clReleaseMemObject(a)
        clReleaseMemObject(b)
        clReleaseMemObject(c)
    }

    func multiply() throws {
        var queue: cl_command_queue? = owner.queue
        var event: cl_event?
        let status = CLBlastSgemm(CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo,
                                  n, n, n, 1, a, 0, n, b, 0, n, 0, c, 0, n, &queue, &event)
        guard status == CLBlastSuccess else { throw BenchmarkFailure("CLBlastSgemm failed: \(status.rawValue)") }
        try CLBlastContender.check(clFinish(owner.queue), "clFinish")
        if let event { clReleaseEvent(event) }
    }

    func result() throws -> [Float] {
        try [Float](unsafeUninitializedCapacity: n * n) { values, initialized in
            let bytes = n * n * MemoryLayout<Float>.stride
            try CLBlastContender.check(
                clEnqueueReadBuffer(owner.queue, c, cl_bool(CL_TRUE), 0, bytes, values.baseAddress, 0, nil, nil),
                "clEnqueueReadBuffer")
            initialized = n * n
        }
    }
}
