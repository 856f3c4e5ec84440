import Dispatch

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

/// How many threads the CPU backend's loops use: `SIGNET_THREADS`, else the active cores.
enum CPUThreads {
    static let count: Int = {
        if let text = ProcessInfo.processInfo.environment["SIGNET_THREADS"], let value = Int(text), value > 0 {
            return value
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()
}

import Foundation

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
