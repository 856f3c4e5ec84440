import COpenCL

/// Device memory holding `count` values of `Element`. Copies to and from the host are explicit.
public final class Buffer<Element: BitwiseCopyable>: @unchecked Sendable {
    // A cl_mem may be used from any thread; its contents are ordered by the queue that uses it.
    let handle: cl_mem
    /// The number of elements (not bytes).
    public let count: Int
    /// The context that owns the memory.
    public let context: Context

    public var byteCount: Int { count * MemoryLayout<Element>.stride }

    /// Allocates `count` elements of uninitialised device memory (at least one, as OpenCL requires).
    public init(context: Context, count: Int) throws {
        guard count >= 0 else { throw OpenCLError.invalidRequest("a buffer cannot hold \(count) elements") }
        let bytes = max(count, 1) * MemoryLayout<Element>.stride
        if bytes > context.device.maxAllocationBytes {
            throw OpenCLError.invalidRequest(
                "a buffer of \(bytes) bytes exceeds \(context.device.name)'s largest allocation (\(context.device.maxAllocationBytes) bytes)")
        }
        var status: cl_int = CL_SUCCESS
        let made = clCreateBuffer(context.handle, cl_mem_flags(CL_MEM_READ_WRITE), bytes, nil, &status)
        try OpenCLError.check(status, "clCreateBuffer(\(bytes) bytes)")
        guard let made else { throw OpenCLError.call("clCreateBuffer", code: CL_MEM_OBJECT_ALLOCATION_FAILURE) }
        handle = made
        self.count = count
        self.context = context
    }

    deinit { clReleaseMemObject(handle) }
}
