import Foundation
@testable import Signatures
import Testing

/// `SweepWorkers`: jobs handed out in the given order to whichever worker is free, each run
/// once, every value returned; a failure starts no other job and is thrown once all stop.
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
            job: { worker, job, started in
                record.note(job, worker: worker)
                #expect((1...order.count).contains(started))
                Thread.sleep(forTimeInterval: 0.02)
                return job * 10
            },
            finished: { job, value in
                #expect(value == job * 10)
                finished.append(job)
            })
        #expect(values == Dictionary(uniqueKeysWithValues: order.map { ($0, $0 * 10) }))
        #expect(record.started == order, "handed out in order")
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
                job: { worker, job, _ in
                    record.note(job, worker: worker)
                    if job == 0 {
                        // Until the other worker holds job 1: it is the first to fail.
                        while record.count < 2 { Thread.sleep(forTimeInterval: 0.001) }
                        throw Refusal()
                    }
                    Thread.sleep(forTimeInterval: 0.2)
                    return job
                },
                finished: { job, _ in finished.append(job) },
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
            job: { _, job, _ in
                #expect(Thread.current == caller)
                seen.append(job)
                return job
            },
            finished: { _, _ in })
        #expect(seen == [2, 0, 1])
    }
}
