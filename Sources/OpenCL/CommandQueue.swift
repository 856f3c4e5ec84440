import COpenCL

/// An in-order command queue on a context's device: kernel launches and host <-> device copies.
public final class CommandQueue: @unchecked Sendable {
    // Enqueue calls are thread-safe in OpenCL; the order of commands is the order of calls.
    let handle: cl_command_queue
    public let context: Context
    /// Whether events from this queue carry start and end timestamps.
    public let profiling: Bool

    public init(context: Context, profiling: Bool = false) throws {
        var status: cl_int = CL_SUCCESS
        let flags: cl_queue_properties = profiling ? cl_queue_properties(CL_QUEUE_PROFILING_ENABLE) : 0
        let made: cl_command_queue?
        if context.device.version.hasPrefix("OpenCL 1.") {
            made = clCreateCommandQueue(context.handle, context.device.id, cl_command_queue_properties(flags), &status)
        } else {
            var properties: [cl_queue_properties] = [cl_queue_properties(CL_QUEUE_PROPERTIES), flags, 0]
            made = clCreateCommandQueueWithProperties(context.handle, context.device.id, &properties, &status)
        }
        try OpenCLError.check(status, "clCreateCommandQueue")
        guard let made else { throw OpenCLError.call("clCreateCommandQueue", code: CL_INVALID_COMMAND_QUEUE) }
        handle = made
        self.context = context
        self.profiling = profiling
    }

    deinit {
        clFinish(handle)
        clReleaseCommandQueue(handle)
    }

    /// Launches `kernel` over a 1-, 2- or 3-D range. `localSize` nil lets the runtime choose.
    /// Returns the command's event only when asked (`wantEvent`), so ordinary launches allocate none.
    @discardableResult
    public func enqueue(_ kernel: Kernel, globalSize: [Int], localSize: [Int]? = nil,
                        wantEvent: Bool = false) throws -> Event? {
        guard (1...3).contains(globalSize.count), localSize == nil || localSize!.count == globalSize.count else {
            throw OpenCLError.invalidRequest("kernel \(kernel.name): bad work sizes \(globalSize) / \(localSize ?? [])")
        }
        if globalSize.contains(0) { return nil }
        var event: cl_event?
        let status = globalSize.withUnsafeBufferPointer { global in
            withOptionalPointer(localSize) { local in
                if wantEvent {
                    return clEnqueueNDRangeKernel(handle, kernel.handle, cl_uint(globalSize.count), nil,
                                                  global.baseAddress, local, 0, nil, &event)
                }
                return clEnqueueNDRangeKernel(handle, kernel.handle, cl_uint(globalSize.count), nil,
                                              global.baseAddress, local, 0, nil, nil)
            }
        }
        try OpenCLError.check(status, "clEnqueueNDRangeKernel(\(kernel.name), global \(globalSize), local \(localSize.map { "\($0)" } ?? "auto"))")
        return event.map(Event.init(handle:))
    }

    /// Copies `values` into the start of `buffer`, blocking until the copy is done.
    public func write<T>(_ values: UnsafeBufferPointer<T>, to buffer: Buffer<T>, offset: Int = 0) throws {
        guard offset >= 0, offset + values.count <= buffer.count else {
            throw OpenCLError.invalidRequest("write of \(values.count) elements at \(offset) overflows a buffer of \(buffer.count)")
        }
        guard let base = values.baseAddress, values.count > 0 else { return }
        let stride = MemoryLayout<T>.stride
        try OpenCLError.check(
            clEnqueueWriteBuffer(handle, buffer.handle, cl_bool(CL_TRUE), offset * stride, values.count * stride, base, 0, nil, nil),
            "clEnqueueWriteBuffer")
    }

    /// Copies the start of `buffer` into `values`, blocking until the data has arrived.
    public func read<T>(_ buffer: Buffer<T>, into values: UnsafeMutableBufferPointer<T>, offset: Int = 0) throws {
        guard offset >= 0, offset + values.count <= buffer.count else {
            throw OpenCLError.invalidRequest("read of \(values.count) elements at \(offset) overflows a buffer of \(buffer.count)")
        }
        guard let base = values.baseAddress, values.count > 0 else { return }
        let stride = MemoryLayout<T>.stride
        try OpenCLError.check(
            clEnqueueReadBuffer(handle, buffer.handle, cl_bool(CL_TRUE), offset * stride, values.count * stride, base, 0, nil, nil),
            "clEnqueueReadBuffer")
    }

    /// Copies `count` elements from one buffer to another on the device, starting at element
    /// `sourceOffset` of `source` and `destinationOffset` of `destination`.
    public func copy<T>(from source: Buffer<T>, to destination: Buffer<T>, count: Int,
                        sourceOffset: Int = 0, destinationOffset: Int = 0) throws {
        guard count >= 0, sourceOffset >= 0, destinationOffset >= 0,
              sourceOffset + count <= source.count, destinationOffset + count <= destination.count else {
            throw OpenCLError.invalidRequest(
                "copy of \(count) elements from \(sourceOffset) to \(destinationOffset) overflows buffers of \(source.count) and \(destination.count)")
        }
        guard count > 0 else { return }
        let stride = MemoryLayout<T>.stride
        try OpenCLError.check(
            clEnqueueCopyBuffer(handle, source.handle, destination.handle, sourceOffset * stride, destinationOffset * stride,
                                count * stride, 0, nil, nil),
            "clEnqueueCopyBuffer")
    }

    /// Fills the first `count` elements of `buffer` with `value`.
    public func fill<T: BitwiseCopyable>(_ buffer: Buffer<T>, with value: T, count: Int) throws {
        guard count > 0 else { return }
        var pattern = value
        try OpenCLError.check(
            clEnqueueFillBuffer(handle, buffer.handle, &pattern, MemoryLayout<T>.stride, 0,
                                min(count, buffer.count) * MemoryLayout<T>.stride, 0, nil, nil),
            "clEnqueueFillBuffer")
    }

    /// Blocks until every enqueued command has finished.
    public func finish() throws {
        try OpenCLError.check(clFinish(handle), "clFinish")
    }
}

private func withOptionalPointer<R>(_ sizes: [Int]?, _ body: (UnsafePointer<Int>?) -> R) -> R {
    guard let sizes else { return body(nil) }
    return sizes.withUnsafeBufferPointer { body($0.baseAddress) }
}
