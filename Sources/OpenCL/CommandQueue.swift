import COpenCL
import Glibc
import Synchronization

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

    /// Lets the queued work run to its end, then releases the queue. There is no caller left to
    /// throw to, so a failure is said on standard error (`releaseWarning`) rather than dropped:
    /// a device lost or reset under a long run shows up here when nothing else read after it.
    deinit {
        let status = clFinish(handle)
        if status != CL_SUCCESS {
            let line = Self.releaseWarning(status: status, device: context.device.name) + "\n"
            _ = line.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
        }
        clReleaseCommandQueue(handle)
    }

    /// The line `deinit` writes when the work still queued at release failed.
    public static func releaseWarning(status: Int32, device: String) -> String {
        "warning: work queued on \(device) failed as its queue was released: \(OpenCLError.call("clFinish", code: status)); "
            + "results not read back since the last finish were lost"
    }

    /// The most work-groups one launch may have along dimension 1 or 2: NVIDIA's devices take no
    /// more (their grid's y and z limits), and OpenCL has no query for it.
    public static let maximumGroupsBeyondFirstDimension = 65_535

    /// Launches `kernel` over a 1-, 2- or 3-D range. `localSize` nil lets the runtime choose.
    /// A range with more than `maximumGroupsBeyondFirstDimension` groups along dimension 1 or 2
    /// (one work-item per group counted where the runtime chooses) goes as several launches over
    /// slices of it, each with its global offset: kernels that index by `get_global_id` see the
    /// same ids as in one launch. Returns the command's event only when asked (`wantEvent`), so
    /// ordinary launches allocate none; for a split range, the last launch's (the queue runs in
    /// order, so it completes last).
    @discardableResult
    public func enqueue(_ kernel: Kernel, globalSize: [Int], localSize: [Int]? = nil,
                        wantEvent: Bool = false) throws -> Event? {
        guard (1...3).contains(globalSize.count), localSize == nil || localSize!.count == globalSize.count else {
            throw OpenCLError.invalidRequest("kernel \(kernel.name): bad work sizes \(globalSize) / \(localSize ?? [])")
        }
        if globalSize.contains(0) { return nil }
        var event: Event?
        for slice in Self.slices(globalSize: globalSize, localSize: localSize) {
            event = try launch(kernel, offset: slice.offset, globalSize: slice.size, localSize: localSize, wantEvent: wantEvent)
        }
        return event
    }

    /// The slices one launch of `globalSize` is split into: every dimension past the first cut
    /// into runs of at most `maximumGroupsBeyondFirstDimension` groups, offsets in row order.
    public static func slices(globalSize: [Int], localSize: [Int]?) -> [(offset: [Int], size: [Int])] {
        var slices: [(offset: [Int], size: [Int])] = [([Int](repeating: 0, count: globalSize.count), globalSize)]
        for dimension in globalSize.indices.dropFirst() {
            let step = maximumGroupsBeyondFirstDimension * max(localSize?[dimension] ?? 1, 1)
            guard globalSize[dimension] > step else { continue }
            slices = slices.flatMap { slice in
                stride(from: 0, to: globalSize[dimension], by: step).map { start in
                    var offset = slice.offset, size = slice.size
                    offset[dimension] = start
                    size[dimension] = min(step, globalSize[dimension] - start)
                    return (offset, size)
                }
            }
        }
        return slices
    }

    /// A test-only fault seam: set to N > 0, the N-th launch from then on (on any queue) fails
    /// with `CL_OUT_OF_RESOURCES` without running, as a GPU out of resources fails one
    /// (`SIGNET_FAULT=opencl-error:launch=N`). 0, the default, injects nothing.
    public static let failingLaunch = Atomic<Int>(0)

    /// Whether this launch is the one `failingLaunch` counts down to.
    private static func takeInjectedFailure() -> Bool {
        var current = failingLaunch.load(ordering: .relaxed)
        while current > 0 {
            let (exchanged, original) = failingLaunch.compareExchange(expected: current, desired: current - 1, ordering: .relaxed)
            if exchanged { return current == 1 }
            current = original
        }
        return false
    }

    private func launch(_ kernel: Kernel, offset: [Int], globalSize: [Int], localSize: [Int]?, wantEvent: Bool) throws -> Event? {
        var event: cl_event?
        let split = offset.contains { $0 != 0 }
        let status = Self.takeInjectedFailure() ? CL_OUT_OF_RESOURCES : globalSize.withUnsafeBufferPointer { global in
            offset.withUnsafeBufferPointer { offsets in
                withOptionalPointer(localSize) { local in
                    let start = split ? offsets.baseAddress : nil
                    if wantEvent {
                        return clEnqueueNDRangeKernel(handle, kernel.handle, cl_uint(globalSize.count), start, global.baseAddress, local,
                                                      0, nil, &event)
                    }
                    return clEnqueueNDRangeKernel(handle, kernel.handle, cl_uint(globalSize.count), start, global.baseAddress, local,
                                                  0, nil, nil)
                }
            }
        }
        try OpenCLError.check(status, "clEnqueueNDRangeKernel(\(kernel.name), global \(globalSize)\(split ? " at \(offset)" : ""), "
            + "local \(localSize.map { "\($0)" } ?? "auto")) on \(context.device.name)")
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
