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
