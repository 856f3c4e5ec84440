import COpenCL

/// A command's completion event, used to wait on it and, on a profiling queue, to time it.
public final class Event: @unchecked Sendable {
    // Events are reference counted and their queries are thread-safe.
    let handle: cl_event

    init(handle: cl_event) { self.handle = handle }

    deinit { clReleaseEvent(handle) }

    /// Blocks until the command has finished.
    public func wait() throws {
        var event: cl_event? = handle
        try OpenCLError.check(clWaitForEvents(1, &event), "clWaitForEvents")
    }

    /// Device time from the command's start to its end, in nanoseconds.
    /// Needs a queue made with `profiling: true`; otherwise `CL_PROFILING_INFO_NOT_AVAILABLE`.
    public func elapsedNanoseconds() throws -> UInt64 {
        try wait()
        func stamp(_ parameter: Int32) throws -> cl_ulong {
            try queryValue("clGetEventProfilingInfo", as: cl_ulong.self) {
                clGetEventProfilingInfo(handle, cl_profiling_info(parameter), $0, $1, $2)
            }
        }
        let start = try stamp(CL_PROFILING_COMMAND_START)
        let end = try stamp(CL_PROFILING_COMMAND_END)
        return end >= start ? end - start : 0
    }
}
