import Foundation
import Synchronization

/// Runs a list of jobs on several workers side by side, one thread each: a queue hands each
/// worker that falls free the next job in `order`, so that with the costliest first (as a sweep
/// orders them) the last to finish are the short ones.
///
/// Once no job is left to start, a free worker runs a *backup* of the job that has run longest
/// on another worker (each job gets one at most), as MapReduce does with its stragglers: on
/// devices of unequal speed a slow one may hold a long job while a fast one idles. The first of a
/// job's two attempts to `claim` it wins; the other is superseded and stops at its next `check`.
///
/// A job that fails stops the queue: the other workers finish the job they hold (its result is
/// as good as any) and take no other; `run` then throws the first failure. A backup's failure
/// only ends the backup. With one worker the jobs run on the calling thread, in order, as a
/// plain loop would run them.
final class SweepWorkers: @unchecked Sendable {
    // @unchecked: every mutable field below is read and written under `lock`; the closures
    // given to `run` are called for one worker on that worker's thread alone.
    private let lock = NSLock()
    private var pending: ArraySlice<Int>
    private var started = 0
    /// Each job's position among those started (what the observer is told), by number.
    private var positions: [Int: Int] = [:]
    /// The attempts running, by job; jobs in the order they started.
    private var running: [Int: [Attempt]] = [:]
    private var startOrder: [Int] = []
    private var claimed: Set<Int> = []
    private var backedUp: Set<Int> = []
    private var failure: (any Error)?

    /// - Parameter order: the jobs, by number, in the order they are handed out.
    init(order: [Int]) {
        pending = order[...]
    }

    /// One run of a job on one worker.
    final class Attempt: @unchecked Sendable {
        let number: Int
        /// Whether it is a job's second attempt, started on a free worker once none was left.
        let isBackup: Bool
        private unowned let workers: SweepWorkers
        private let superseded = Atomic<Bool>(false)
        fileprivate var hasClaimed = false

        fileprivate init(number: Int, isBackup: Bool, workers: SweepWorkers) {
            self.number = number
            self.isBackup = isBackup
            self.workers = workers
        }

        /// Makes this attempt the job's result, before it writes anything that the other attempt
        /// would write too. False when the other has claimed it first: this one must stop.
        func claim() -> Bool {
            workers.claim(self)
        }

        /// Throws `Superseded` once the job's other attempt has claimed it.
        func check() throws {
            if superseded.load(ordering: .relaxed) { throw Superseded() }
        }

        fileprivate func supersede() {
            superseded.store(true, ordering: .relaxed)
        }

        /// Whether the job's other attempt has claimed it.
        var isSuperseded: Bool { superseded.load(ordering: .relaxed) }
    }

    /// What an attempt throws once the job's other attempt has claimed it.
    struct Superseded: Error {}

    /// Runs every job: `job(worker, attempt, position)` on worker `worker`'s thread (`position`
    /// counts the jobs started so far, this one's included), which must `claim` the attempt
    /// before writing its result; then `finished(worker, number, value)` under the queue's lock,
    /// one at a time, on the same thread. `failed(worker, number, error)` is told of a failure
    /// as it happens.
    /// - Returns: each job's value, by number (nil for those not run).
    /// - Throws: the first failure of a job or of `finished`, once every worker has stopped.
    func run<Value>(workers: Int, job: @escaping (Int, Attempt, Int) throws -> Value,
                    finished: @escaping (Int, Int, Value) throws -> Void,
                    failed: @escaping (Int, Int, any Error) -> Void = { _, _, _ in }) throws -> [Int: Value] {
        var values: [Int: Value] = [:]
        let backups = workers > 1
        let body = UncheckedSendable { (worker: Int) in
            while let (attempt, position) = self.next(backups: backups) {
                do {
                    let value = try job(worker, attempt, position)
                    guard attempt.hasClaimed else { throw Superseded() }
                    try self.locked {
                        values[attempt.number] = value
                        try finished(worker, attempt.number, value)
                    }
                    self.end(attempt)
                } catch {
                    self.end(attempt)
                    // The other attempt won, or a backup failed: the job goes on without this one.
                    if !attempt.hasClaimed && (attempt.isSuperseded || error is Superseded || attempt.isBackup) { continue }
                    failed(worker, attempt.number, error)
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

    /// The next attempt and its job's position: a job not yet started, else (with `backups`) a
    /// backup of the job running longest that has none; nil once neither is left, or the queue
    /// was stopped.
    private func next(backups: Bool) -> (Attempt, Int)? {
        locked {
            guard failure == nil else { return nil }
            if let number = pending.popFirst() {
                started += 1
                positions[number] = started
                startOrder.append(number)
                let attempt = Attempt(number: number, isBackup: false, workers: self)
                running[number] = [attempt]
                return (attempt, started)
            }
            guard backups, let number = startOrder.first(where: { running[$0] != nil && !claimed.contains($0) && !backedUp.contains($0) })
            else { return nil }
            backedUp.insert(number)
            let attempt = Attempt(number: number, isBackup: true, workers: self)
            running[number, default: []].append(attempt)
            return (attempt, positions[number] ?? started)
        }
    }

    private func claim(_ attempt: Attempt) -> Bool {
        locked {
            guard !claimed.contains(attempt.number), !attempt.isSuperseded else { return false }
            claimed.insert(attempt.number)
            attempt.hasClaimed = true
            for other in running[attempt.number] ?? [] where other !== attempt { other.supersede() }
            return true
        }
    }

    private func end(_ attempt: Attempt) {
        locked {
            running[attempt.number]?.removeAll { $0 === attempt }
            if running[attempt.number]?.isEmpty == true { running[attempt.number] = nil }
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
