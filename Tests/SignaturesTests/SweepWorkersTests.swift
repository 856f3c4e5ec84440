import Foundation
@testable import Signatures
import Testing

/// `SweepWorkers`: jobs handed out in the given order to whichever worker is free, each giving
/// one value; a free worker backs up a job left on a slow one, and the first attempt to claim
/// wins; a failure starts no other job and is thrown once all stop.
@Suite("Sweep workers")
struct SweepWorkersTests {
    /// What the workers did, written from their threads.
    final class Record: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var started: [Int] = []
        private(set) var workers: Set<Int> = []

        func note(_ job: Int, worker: Int) {
            lock.lock()
            defer { lock.unlock() }
            started.append(job)
            workers.insert(worker)
        }

        var count: Int {
            lock.lock()
            defer { lock.unlock() }
            return started.count
        }
    }

    @Test func everyJobRunsOnceInTheGivenOrder() throws {
        let record = Record()
        var finished: [Int] = []
        let order = [4, 0, 3, 1, 2, 5]
        let values = try SweepWorkers(order: order).run(
            workers: 3,
            job: { worker, attempt, position in
                record.note(attempt.number, worker: worker)
                #expect((1...order.count).contains(position))
                Thread.sleep(forTimeInterval: 0.02)
                // Of a job and its backup, the first to claim gives the value; the other is dropped.
                _ = attempt.claim()
                return attempt.number * 10
            },
            finished: { _, job, value in
                #expect(value == job * 10)
                finished.append(job)
            })
        #expect(values == Dictionary(uniqueKeysWithValues: order.map { ($0, $0 * 10) }))
        #expect(Array(record.started.prefix(order.count)) == order, "handed out in order, backups after")
        #expect(Set(finished) == Set(order) && finished.count == order.count)
        #expect(record.workers.count > 1, "the jobs ran side by side")
    }

    struct Refusal: Error {}

    /// Worker 0 fails its first job while worker 1 holds a longer one: that one finishes, and
    /// none of the four jobs left is started.
    @Test func aFailureStartsNoOtherJob() throws {
        let record = Record()
        var finished: [Int] = []
        var failures: [Int] = []
        #expect(throws: Refusal.self) {
            _ = try SweepWorkers(order: Array(0..<6)).run(
                workers: 2,
                job: { worker, attempt, _ in
                    record.note(attempt.number, worker: worker)
                    if attempt.number == 0 {
                        // Until the other worker holds job 1: it is the first to fail.
                        while record.count < 2 { Thread.sleep(forTimeInterval: 0.001) }
                        throw Refusal()
                    }
                    Thread.sleep(forTimeInterval: 0.2)
                    _ = attempt.claim()
                    return attempt.number
                },
                finished: { _, job, _ in finished.append(job) },
                failed: { _, job, error in
                    #expect(error is Refusal)
                    failures.append(job)
                })
        }
        #expect(Set(record.started) == [0, 1])
        #expect(finished == [1], "the job held beside the failure finishes")
        #expect(failures == [0])
    }

    @Test func oneWorkerRunsOnTheCallingThreadInOrder() throws {
        var seen: [Int] = []
        let caller = Thread.current
        _ = try SweepWorkers(order: [2, 0, 1]).run(
            workers: 1,
            job: { _, attempt, _ in
                #expect(Thread.current == caller && !attempt.isBackup)
                seen.append(attempt.number)
                #expect(attempt.claim())
                return attempt.number
            },
            finished: { _, _, _ in })
        #expect(seen == [2, 0, 1], "one worker runs no backup")
    }

    /// Worker 1 is slow (a job takes it 20 s, checked every millisecond), worker 0 quick: once
    /// the queue is empty worker 0 backs up worker 1's job and claims it, and worker 1's attempt
    /// stops at its next check. Every job gives worker 0's value, at once, and once.
    @Test func aFreeWorkerBacksUpASlowOneAndTheFirstToClaimWins() throws {
        let record = Record()
        var finishedBy: [Int: Int] = [:]
        var stoppedAfter: Duration?
        let clock = ContinuousClock.now
        let values = try SweepWorkers(order: [0, 1, 2]).run(
            workers: 2,
            job: { worker, attempt, _ in
                record.note(attempt.number, worker: worker)
                if worker == 1 {
                    let begun = ContinuousClock.now
                    while ContinuousClock.now - begun < .seconds(20) {
                        do {
                            try attempt.check()
                        } catch {
                            stoppedAfter = ContinuousClock.now - begun
                            throw error
                        }
                        Thread.sleep(forTimeInterval: 0.001)
                    }
                } else {
                    Thread.sleep(forTimeInterval: 0.05)
                }
                guard attempt.claim() else { throw SweepWorkers.Superseded() }
                return worker
            },
            finished: { worker, job, _ in
                #expect(finishedBy[job] == nil, "job \(job) finished twice")
                finishedBy[job] = worker
            },
            failed: { _, job, error in Issue.record("job \(job) failed: \(error)") })
        #expect(ContinuousClock.now - clock < .seconds(10), "the slow attempt did not hold the sweep")
        #expect(values == [0: 0, 1: 0, 2: 0] && finishedBy == [0: 0, 1: 0, 2: 0])
        #expect(stoppedAfter != nil, "the superseded attempt stopped at a check")
        #expect(record.started.count == 4, "three jobs and one backup: \(record.started)")
    }
}
