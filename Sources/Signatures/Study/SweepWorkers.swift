import Foundation

/// Runs a list of jobs on several workers side by side, one thread each: a queue hands each
/// worker that falls free the next job in `order`, so that with the costliest first (as a sweep
/// orders them) the last to finish are the short ones.
///
/// A job that fails stops the queue: the other workers finish the job they hold (its result is
/// as good as any) and take no other; `run` then throws the first failure. With one worker the
/// jobs run on the calling thread, in order, as a plain loop would run them.
final class SweepWorkers: @unchecked Sendable {
    // @unchecked: every mutable field below is read and written under `lock`; the closures
    // given to `run` are called for one worker on that worker's thread alone.
    private let lock = NSLock()
    private var pending: ArraySlice<Int>
    private var started = 0
    private var failure: (any Error)?

    /// - Parameter order: the jobs, by number, in the order they are handed out.
    init(order: [Int]) {
        pending = order[...]
    }

    /// Runs every job: `job(worker, number, started)` on worker `worker`'s thread (`started` counts
    /// the jobs handed out so far, this one included), then `finished(number, value)` under the
    /// queue's lock, one at a time, on the same thread. `failed(worker, number, error)` is told
    /// of a failure as it happens.
    /// - Returns: each job's value, by number (nil for those not run).
    /// - Throws: the first failure of a job or of `finished`, once every worker has stopped.
    func run<Value>(workers: Int, job: @escaping (Int, Int, Int) throws -> Value,
                    finished: @escaping (Int, Value) throws -> Void,
                    failed: @escaping (Int, Int, any Error) -> Void = { _, _, _ in }) throws -> [Int: Value] {
        var values: [Int: Value] = [:]
        let body = UncheckedSendable { (worker: Int) in
            while let (number, count) = self.next() {
                do {
                    let value = try job(worker, number, count)
                    try self.locked {
                        values[number] = value
                        try finished(number, value)
                    }
                } catch {
                    failed(worker, number, error)
                    self.stop(error)
                    return
                }
            }
        }
        let done = DispatchGroup()
        for worker in 1..<max(workers, 1) {
            done.enter()
            let thread = Thread {
                body.value(worker)
                done.leave()
            }
            // A study runs deep (training, then analyses); the main thread's size, not a
            // secondary thread's smaller default.
            thread.stackSize = 8 << 20
            thread.start()
        }
        body.value(0)
        done.wait()
        if let failure = locked({ self.failure }) { throw failure }
        return locked { values }
    }

    /// The next job and how many have been handed out with it; nil once none is left or the
    /// queue was stopped.
    private func next() -> (Int, Int)? {
        locked {
            guard failure == nil, let number = pending.popFirst() else { return nil }
            started += 1
            return (number, started)
        }
    }

    private func stop(_ error: any Error) {
        locked {
            if failure == nil { failure = error }
            pending.removeAll()
        }
    }

    private func locked<Result>(_ body: () throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}

/// A value handed to another thread that the compiler cannot prove safe there: the caller
/// guarantees it (each worker's closure runs on one thread; shared state is behind a lock).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) {
        self.value = value
    }
}
