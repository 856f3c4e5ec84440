import Bench
import Engine
import Foundation
import Testing

/// `BenchRunner` on cases whose runs count themselves: the samples it takes, the warm-up, the
/// repeats within a sample, the rotation of backends, the summary and the speed-ups.
@Suite("signet bench: the runner")
struct BenchRunnerTests {
    /// Counts runs per backend and the order in which the backends ran.
    final class Ledger: @unchecked Sendable {
        var runs: [String: Int] = [:]
        var order: [String] = []
    }

    /// A case whose run sleeps `seconds` and is recorded under the backend's name in `names`
    /// (backends told apart by identity).
    static func sleeper(_ ledger: Ledger, names: [(any Backend, String)], seconds: [String: Double], warmUp: Bool) -> BenchCase {
        BenchCase(workload: .gemm, name: "sleeper", flops: 2e9, warmUp: warmUp) { backend in
            let name = names.first { $0.0 as AnyObject === backend as AnyObject }!.1
            return {
                ledger.runs[name, default: 0] += 1
                ledger.order.append(name)
                Thread.sleep(forTimeInterval: seconds[name]!)
            }
        }
    }

    /// Two backends, a warm-up run each, then three rounds in rotated order; medians, GFLOP/s and
    /// the speed-up over the CPU backend follow from the samples.
    @Test func samplesEveryBackendInTurn() throws {
        let ledger = Ledger()
        let cpu = CPUBackend(), other = CPUBackend()
        let runner = BenchRunner(backends: [("cpu", cpu), ("slow", other)], repeats: 3, minimumSampleSeconds: 0.01)
        let measurements = try runner.measure(Self.sleeper(ledger, names: [(cpu, "cpu"), (other, "slow")],
                                                           seconds: ["cpu": 0.01, "slow": 0.08], warmUp: true))
        #expect(ledger.runs == ["cpu": 4, "slow": 4], "one warm-up and three samples each")
        #expect(Array(ledger.order.suffix(6)) == ["cpu", "slow", "slow", "cpu", "cpu", "slow"], "a different backend first each round")
        #expect(measurements.map(\.backend) == ["cpu", "slow"])
        let fast = measurements[0], slow = measurements[1]
        #expect(fast.samples.count == 3 && slow.samples.count == 3)
        // A sample lasts at least its sleep; the machine's noise only lengthens it.
        #expect(fast.median >= 0.01 && fast.median < 0.5, "\(fast.median)")
        #expect(slow.median >= 0.08 && slow.median < 0.6, "\(slow.median)")
        #expect(fast.fastest <= fast.median && fast.median <= fast.slowest)
        #expect(abs(fast.gflops! - 2 / fast.median) < 1e-9)
        #expect(fast.speedUpOverCPU == 1)
        #expect(abs(slow.speedUpOverCPU! - fast.median / slow.median) < 1e-12)
        #expect(slow.speedUpOverCPU! < 1, "slower than the CPU backend")
    }

    /// Peers take turns with the backends, get no warm-up, report their own seconds, and get
    /// fewer samples where they ask for fewer; their speed-up is the CPU backend's median over theirs.
    @Test func peersTakeTurnsAndReportTheirOwnSeconds() throws {
        let ledger = Ledger()
        let cpu = CPUBackend()
        let environment = PeerEnvironment(scripts: URL(fileURLWithPath: "/nonexistent"), analysisPython: nil, trainingPython: nil,
                                          data: nil, work: URL(fileURLWithPath: "/tmp"))
        var stopped = 0
        var benchCase = Self.sleeper(ledger, names: [(cpu, "cpu")], seconds: ["cpu": 0.01], warmUp: true)
        benchCase.peers = [
            { _ in PeerRun(name: "fast peer", run: { ledger.order.append("fast peer"); return 0.005 }, stop: { stopped += 1 }) },
            { _ in PeerRun(name: "slow peer", samples: 1, run: { ledger.order.append("slow peer"); return 2.0 }, stop: { stopped += 1 }) },
            { _ in nil },  // a peer whose environment is missing
        ]
        let runner = BenchRunner(backends: [("cpu", cpu)], repeats: 3, minimumSampleSeconds: 0, peerEnvironment: environment)
        let measurements = try runner.measure(benchCase)
        #expect(measurements.map(\.backend) == ["cpu", "fast peer", "slow peer"])
        #expect(measurements.map(\.isPeer) == [false, true, true])
        #expect(Array(ledger.order.dropFirst()) == ["cpu", "fast peer", "slow peer", "fast peer", "cpu", "cpu", "fast peer"],
                "after the CPU backend's warm-up: rounds in rotated order, the slow peer once")
        #expect(measurements[1].samples == [0.005, 0.005, 0.005] && measurements[2].samples == [2.0])
        #expect(measurements[1].flops == nil && measurements[1].gflops == nil, "a peer's operations are not counted")
        #expect(abs(measurements[2].speedUpOverCPU! - measurements[0].median / 2.0) < 1e-12)
        #expect(stopped == 2, "every peer is stopped")
        // Without a peer environment, the peers are not asked.
        let alone = try BenchRunner(backends: [("cpu", cpu)], repeats: 1, minimumSampleSeconds: 0).measure(benchCase)
        #expect(alone.map(\.backend) == ["cpu"])
    }

    /// A contender whose samples would outlast the budget gets fewer, never under three; one
    /// well within it gets every repeat; a peer is judged by its first sample.
    @Test func longRunsGetFewerSamplesWithinTheBudget() throws {
        let ledger = Ledger()
        let cpu = CPUBackend(), other = CPUBackend()
        let environment = PeerEnvironment(scripts: URL(fileURLWithPath: "/nonexistent"), analysisPython: nil, trainingPython: nil,
                                          data: nil, work: URL(fileURLWithPath: "/tmp"))
        var benchCase = Self.sleeper(ledger, names: [(cpu, "cpu"), (other, "slow")], seconds: ["cpu": 0.001, "slow": 0.05], warmUp: false)
        // By its own clock the peer takes 10 s a run: three samples of a 0.1 s budget.
        benchCase.peers = [{ _ in PeerRun(name: "slow peer", run: { 10 }) }]
        let runner = BenchRunner(backends: [("cpu", cpu), ("slow", other)], repeats: 6, minimumSampleSeconds: 0,
                                 sampleBudgetSeconds: 0.1, peerEnvironment: environment)
        let measurements = try runner.measure(benchCase)
        #expect(measurements.map(\.samples.count) == [6, 3, 3], "\(measurements.map(\.samples))")
        // No budget: every repeat.
        let unlimited = try BenchRunner(backends: [("slow", other)], repeats: 4, minimumSampleSeconds: 0, sampleBudgetSeconds: 0)
            .measure(Self.sleeper(ledger, names: [(other, "slow")], seconds: ["slow": 0.05], warmUp: false))
        #expect(unlimited[0].samples.count == 4)
    }

    /// A run shorter than the minimum sample repeats within its sample: the sample is the mean.
    @Test func shortRunsRepeatWithinASample() throws {
        let ledger = Ledger()
        let cpu = CPUBackend()
        let measurements = try BenchRunner(backends: [("cpu", cpu)], repeats: 2, minimumSampleSeconds: 0.05)
            .measure(Self.sleeper(ledger, names: [(cpu, "cpu")], seconds: ["cpu": 0.005], warmUp: true))
        #expect(ledger.runs["cpu"]! >= 1 + 2 * 2, "\(ledger.runs) runs: a 5 ms run takes several to fill a 50 ms sample")
        #expect(measurements[0].samples.allSatisfy { $0 >= 0.005 && $0 < 0.05 }, "\(measurements[0].samples)")
    }

    /// Without a warm-up, a run that fills a sample on its own is the first sample.
    @Test func aLongRunWithoutWarmUpIsTheFirstSample() throws {
        let ledger = Ledger()
        let cpu = CPUBackend()
        let measurements = try BenchRunner(backends: [("cpu", cpu)], repeats: 2, minimumSampleSeconds: 0.01)
            .measure(Self.sleeper(ledger, names: [(cpu, "cpu")], seconds: ["cpu": 0.02], warmUp: false))
        #expect(ledger.runs["cpu"] == 2)
        #expect(measurements[0].samples.count == 2)
    }

    /// A case that asks for fewer samples (a run of minutes) gets them on every backend.
    @Test func aCaseMayAskForFewerSamples() throws {
        let ledger = Ledger()
        let cpu = CPUBackend(), other = CPUBackend()
        var benchCase = Self.sleeper(ledger, names: [(cpu, "cpu"), (other, "other")], seconds: ["cpu": 0.01, "other": 0.01], warmUp: false)
        benchCase.samples = 1
        let measurements = try BenchRunner(backends: [("cpu", cpu), ("other", other)], repeats: 3, minimumSampleSeconds: 0.001)
            .measure(benchCase)
        #expect(measurements.map(\.samples.count) == [1, 1])
        #expect(ledger.runs == ["cpu": 1, "other": 1], "the first run is the sample: nothing to warm up")
    }

    /// The median of an even count is the mean of the middle two; the summary keeps the order.
    @Test func summaryOfSamples() {
        let m = BenchMeasurement(workload: .conv, name: "x", backend: "cpu", samples: [4, 1, 3, 2], flops: nil, otherLoad: 0)
        #expect(m.median == 2.5 && m.fastest == 1 && m.slowest == 4 && m.samples == [4, 1, 3, 2])
        #expect(m.gflops == nil)
    }

    /// A failing run names its case and backend in one line.
    @Test func aFailingRunNamesItsCase() {
        struct Broken: Error, CustomStringConvertible { var description: String { "out of memory" } }
        let runner = BenchRunner(backends: [("cpu", CPUBackend())], repeats: 1)
        let failing = BenchCase(workload: .conv, name: "conv forward", warmUp: true) { _ in { throw Broken() } }
        #expect(throws: BenchError("conv forward on cpu: out of memory")) { try runner.measure(failing) }
    }

    /// The engine's real cases run on the CPU backend, and the result survives JSON.
    @Test func gemmAndConvRunAndEncode() throws {
        let runner = BenchRunner(backends: [("cpu", CPUBackend())], repeats: 1, minimumSampleSeconds: 0, gemmSizes: [64])
        let result = try runner.run([.gemm, .conv])
        #expect(result.measurements.map(\.name).first == "GEMM 64")
        #expect(result.measurements.filter { $0.workload == .gemm }.count == 4)
        #expect(result.measurements.filter { $0.workload == .conv }.count == 4)
        #expect(result.measurements.allSatisfy { $0.samples.count == 1 && $0.median > 0 && $0.gflops! > 0 })
        #expect(result.parts.map(\.workload) == [.gemm, .conv])
        let decoded = try JSONDecoder().decode(BenchResult.self, from: JSONEncoder().encode(result))
        #expect(decoded == result)
    }

    /// Workloads that read MNIST say so when no store is given.
    @Test func dataWorkloadsNeedAStore() {
        let runner = BenchRunner(backends: [("cpu", CPUBackend())], repeats: 1)
        #expect(throws: BenchError("this workload needs MNIST: set SIGNET_DATA or let signet download it")) {
            try runner.run([.mlp])
        }
    }
}
