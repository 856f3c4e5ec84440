import Dispatch
import Foundation
import Synchronization

/// Runs `body` over `0..<count` split into contiguous chunks, in parallel when the work is large
/// enough to pay for the threads (`minimumChunk` items or more per chunk).
func parallelChunks(_ count: Int, minimumChunk: Int = 16_384, body: @Sendable (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let workers = min(CPUThreads.count, max(1, count / minimumChunk))
    if workers == 1 {
        body(0..<count)
        return
    }
    let chunk = (count + workers - 1) / workers
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
        let start = worker * chunk
        let end = min(count, start + chunk)
        if start < end { body(start..<end) }
    }
}

/// How many threads the CPU backend's loops (and OpenBLAS) use: `SIGNET_THREADS`, else the
/// active cores, less those `reserve(_:)` leaves to other work of this process.
///
/// The count never changes a result: each output value is computed by one thread in a fixed
/// order, and sums are chunked independently of it (`chunkedSums`).
public enum CPUThreads {
    /// `SIGNET_THREADS`, else the active cores.
    public static let available: Int = {
        if let text = ProcessInfo.processInfo.environment["SIGNET_THREADS"], let value = Int(text), value > 0 {
            return value
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    private static let reserved = Atomic<Int>(0)

    /// The threads in use now: `available` less the reserved ones, at least one.
    public static var count: Int { max(1, available - reserved.load(ordering: .relaxed)) }

    /// Leaves `threads` of the available ones to other work of this process: a sweep running an
    /// OpenCL device beside the CPU backend keeps one core busy with each device's host work
    /// (launches, copies, the host side of an analysis), and the CPU backend takes what is left
    /// instead of contending for every core. 0 gives them all back.
    public static func reserve(_ threads: Int) {
        reserved.store(max(0, threads), ordering: .relaxed)
    }
}

/// Sums `width` values over `0..<count` in fixed chunks of `chunk` items: `body` adds its range's
/// contribution into a zeroed partial of `width` values, chunks run in parallel, and the partials
/// are then added in chunk order. The chunking depends only on `count` and `chunk`, never on the
/// thread count, so the result is the same bits on any machine.
func chunkedSums(_ count: Int, chunk: Int, width: Int, into result: UnsafeMutablePointer<Float>,
                 body: @Sendable (Range<Int>, UnsafeMutablePointer<Float>) -> Void) {
    let chunks = max(1, (count + chunk - 1) / chunk)
    let partials = UnsafeMutablePointer<Float>.allocate(capacity: chunks * width)
    defer { partials.deallocate() }
    partials.initialize(repeating: 0, count: chunks * width)
    let shared = SharedPointer(partials)
    parallelChunks(chunks, minimumChunk: 1) { range in
        for index in range {
            body(index * chunk..<min(count, (index + 1) * chunk), shared.base + index * width)
        }
    }
    result.update(from: partials, count: width)
    for index in 1..<chunks {
        let partial = partials + index * width
        for j in 0..<width { result[j] += partial[j] }
    }
}
