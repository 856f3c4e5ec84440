import COpenCL

/// A kernel of a built program, with typed argument setters.
///
/// Not `Sendable`: `clSetKernelArg` mutates the kernel object, which OpenCL does not make
/// thread-safe. Each backend owns its kernels and uses them from one thread.
public final class Kernel {
    let handle: cl_kernel
    public let name: String
    /// The program the kernel comes from, kept alive as long as the kernel.
    public let program: Program

    init(program: Program, name: String) throws {
        var status: cl_int = CL_SUCCESS
        let made = clCreateKernel(program.handle, name, &status)
        if status == CL_INVALID_KERNEL_NAME {
            throw OpenCLError.missingKernel(name: name, program: program.name)
        }
        try OpenCLError.check(status, "clCreateKernel(\(name))")
        guard let made else { throw OpenCLError.missingKernel(name: name, program: program.name) }
        handle = made
        self.name = name
        self.program = program
    }

    deinit { clReleaseKernel(handle) }

    /// Binds a buffer to argument `index`.
    public func setArgument<T>(_ index: Int, _ buffer: Buffer<T>) throws {
        var mem: cl_mem? = buffer.handle
        let status = clSetKernelArg(handle, cl_uint(index), MemoryLayout<cl_mem?>.size, &mem)
        try OpenCLError.check(status, "clSetKernelArg(\(name), \(index))")
    }

    /// Binds a scalar (`Int32`, `UInt32`, `Float` ...) to argument `index`. Swift `Int` is refused
    /// at compile time by the kernels' signatures: pass `Int32` so the size matches the C type.
    public func setArgument<T: BitwiseCopyable>(_ index: Int, value: T) throws {
        var copy = value
        let status = clSetKernelArg(handle, cl_uint(index), MemoryLayout<T>.size, &copy)
        try OpenCLError.check(status, "clSetKernelArg(\(name), \(index))")
    }

    /// Reserves `bytes` of local (work-group shared) memory for a `__local` argument.
    public func setLocalArgument(_ index: Int, bytes: Int) throws {
        let status = clSetKernelArg(handle, cl_uint(index), bytes, nil)
        try OpenCLError.check(status, "clSetKernelArg(\(name), \(index), local \(bytes) bytes)")
    }

    /// The largest work-group this kernel can run with on `device`.
    public func maxWorkGroupSize(on device: Device) throws -> Int {
        try queryValue("clGetKernelWorkGroupInfo", as: Int.self) {
            clGetKernelWorkGroupInfo(handle, device.id, cl_kernel_work_group_info(CL_KERNEL_WORK_GROUP_SIZE), $0, $1, $2)
        }
    }
}
