import Datasets
import Dispatch
import Engine
import Foundation

/// Runs `signet bench`: each workload's cases on every backend, interleaved, and collects one
/// `BenchResult`.
///
/// Per case: the inputs go to every backend first (untimed); then, where the case has one, a
/// warm-up run per backend; then `repeats` rounds, each running the case once on every backend,
/// a different backend first each round, so that drift in the machine's load falls on all of
/// them. A run shorter than `minimumSampleSeconds` is repeated within its sample and the
/// sample divided by the count. A contender whose samples would take longer than
/// `sampleBudgetSeconds` in all gets fewer, never under three (judged by its first run), as
/// `Benchmarks/gemm-ratios` does: so that `signet bench all` keeps to minutes. Each sample
/// records the other processes' share of the CPUs.
/// With a peer environment, the peer libraries that run the case take their turns too, timed by
/// their own clocks (their start-up and imports are not theirs to pay), their processes' CPU
/// time counted as this run's.
public struct BenchRunner {
    /// The backends, named as the tables name them (`cpu`, `opencl:N`).
    public var backends: [(name: String, backend: any Backend)]
    /// Timed runs per case and backend (at least 1).
    public var repeats: Int
    /// A sample repeats a short run until it lasts this long.
    public var minimumSampleSeconds: Double
    /// The time one contender's samples of one case may take before it gets fewer of them
    /// (never under three, nor more than `repeats`); 0 for no limit.
    public var sampleBudgetSeconds: Double
    /// Square GEMM sizes.
    public var gemmSizes: [Int]
    /// Where MNIST is read from, for the workloads that need it.
    public var store: DatasetStore?
    /// Progress lines (to standard error in `signet bench`).
    public var log: (String) -> Void
    /// The peer libraries' environment (`--peers`); nil runs Signet alone.
    public var peerEnvironment: PeerEnvironment?

    public init(backends: [(name: String, backend: any Backend)], repeats: Int = 5, minimumSampleSeconds: Double = 0.2,
                sampleBudgetSeconds: Double = 30, gemmSizes: [Int] = [256, 512, 1024, 2048, 4096], store: DatasetStore? = nil,
                peerEnvironment: PeerEnvironment? = nil, log: @escaping (String) -> Void = { _ in }) {
        self.backends = backends
        self.repeats = repeats
        self.minimumSampleSeconds = minimumSampleSeconds
        self.sampleBudgetSeconds = sampleBudgetSeconds
        self.gemmSizes = gemmSizes
        self.store = store
        self.peerEnvironment = peerEnvironment
        self.log = log
    }

    /// Runs `workloads` in order.
    /// - Throws: `BenchError` for a workload that needs data when no store was given, or a
    ///   backend's or the data's errors, naming the case.
    public func run(_ workloads: [BenchWorkload]) throws -> BenchResult {
        let start = Date()
        var measurements: [BenchMeasurement] = [], parts: [BenchPart] = []
        let catalogue = BenchCatalogue(store: store, peers: peerEnvironment, gemmSizes: gemmSizes, log: log)
        for workload in workloads {
            let partStart = Date()
            log("\(workload.rawValue): preparing")
            let cases = try catalogue.cases(for: workload)
            // The peers' processes shared by the workload's cases end with it.
            defer { catalogue.pool.stopAll() }
            for benchCase in cases {
                measurements += try measure(benchCase)
            }
            parts.append(BenchPart(workload: workload, seconds: Date().timeIntervalSince(partStart)))
            log(String(format: "%@: done in %.1f s", workload.rawValue, parts.last!.seconds))
        }
        let formatter = ISO8601DateFormatter()
        return BenchResult(date: formatter.string(from: start), processor: MachineDescription.processor, cores: MachineDescription.cores,
                           openBLASCoreType: MachineDescription.openBLASCoreType,
                           backends: backends.map { BenchBackendInfo(name: $0.name, description: $0.backend.description) },
                           repeats: repeats, sampleBudgetSeconds: sampleBudgetSeconds, measurements: measurements, parts: parts,
                           totalSeconds: Date().timeIntervalSince(start))
    }

    /// One case on every backend (and peer): its measurements, with the speed-ups over the CPU
    /// backend.
    public func measure(_ benchCase: BenchCase) throws -> [BenchMeasurement] {
        var contenders = try backends.map { entry -> Contender in
            do {
                return Contender(name: entry.name, isPeer: false, samples: min(repeats, benchCase.samples ?? repeats),
                                 run: try benchCase.prepare(entry.backend))
            } catch {
                throw BenchError("\(benchCase.name) on \(entry.name): \(error)")
            }
        }
        var peers: [PeerRun] = []
        defer { peers.forEach { $0.stop() } }
        if let peerEnvironment {
            for makePeer in benchCase.peers {
                // A peer that cannot start costs its column, not the run.
                let made: PeerRun?
                do {
                    made = try makePeer(peerEnvironment)
                } catch {
                    log("  \(benchCase.name): a peer could not start, going on without it: \(error)")
                    continue
                }
                guard let peer = made else { continue }
                peers.append(peer)
                contenders.append(Contender(name: peer.name, isPeer: true, samples: min(repeats, peer.samples ?? repeats), peer: peer))
            }
        }
        // One run per backend first (the warm-up, or for a case without one the first sample):
        // it also tells how many runs one sample needs to last `minimumSampleSeconds`. Peers
        // warm up on their own (a training peer's first epoch, umap-learn's compilation).
        var perSample = [Int](repeating: 1, count: contenders.count)
        var samples = [[Double]](repeating: [], count: contenders.count), loads = [[Double]](repeating: [], count: contenders.count)
        for index in contenders.indices where !contenders[index].isPeer {
            let (seconds, load) = try time(contenders[index], times: 1, benchCase: benchCase)
            perSample[index] = seconds >= minimumSampleSeconds ? 1 : min(10_000, Int((minimumSampleSeconds / max(seconds, 1e-6)).rounded(.up)))
            contenders[index].samples = budgeted(contenders[index].samples, runSeconds: seconds)
            if !benchCase.warmUp && perSample[index] == 1 {
                samples[index].append(seconds)
                loads[index].append(load)
            }
        }
        for round in 0..<repeats {
            for offset in 0..<contenders.count {
                let index = (round + offset) % contenders.count
                guard samples[index].count < contenders[index].samples else { continue }
                let (seconds, load) = try time(contenders[index], times: perSample[index], benchCase: benchCase)
                samples[index].append(seconds)
                loads[index].append(load)
                // A peer's first sample is its first run we see (it warmed up on its own).
                if contenders[index].isPeer && samples[index].count == 1 {
                    contenders[index].samples = budgeted(contenders[index].samples, runSeconds: seconds)
                }
            }
        }
        var measurements = contenders.indices.map { index in
            let sortedLoads = loads[index].sorted()
            return BenchMeasurement(workload: benchCase.workload, name: benchCase.name, backend: contenders[index].name,
                                    isPeer: contenders[index].isPeer, samples: samples[index],
                                    flops: contenders[index].isPeer ? nil : benchCase.flops,
                                    otherLoad: sortedLoads.isEmpty ? 0 : sortedLoads[sortedLoads.count / 2])
        }
        if let cpu = measurements.first(where: { $0.backend == "cpu" }) {
            for index in measurements.indices where measurements[index].median > 0 {
                measurements[index].speedUpOverCPU = cpu.median / measurements[index].median
            }
        }
        for measurement in measurements {
            log(String(format: "  %@ on %@: median %.4g s (%d samples)", measurement.name, measurement.backend, measurement.median,
                       measurement.samples.count))
        }
        return measurements
    }

    /// `wanted` samples, or fewer (never under three) where runs of `runSeconds` would take
    /// longer than the budget.
    func budgeted(_ wanted: Int, runSeconds: Double) -> Int {
        guard sampleBudgetSeconds > 0, Double(wanted) * runSeconds > sampleBudgetSeconds else { return wanted }
        return max(min(3, wanted), Int(sampleBudgetSeconds / runSeconds))
    }

    /// A backend's prepared run, or a peer's.
    private struct Contender {
        var name: String
        var isPeer: Bool
        /// Timed samples it gets.
        var samples: Int
        var run: (() throws -> Void)?
        var peer: PeerRun?
    }

    /// `times` runs back to back: seconds per run (a peer's by its own clock), and the other
    /// processes' share of the CPUs (a peer's process counting as ours).
    private func time(_ contender: Contender, times: Int, benchCase: BenchCase) throws -> (Double, Double) {
        // A served peer's process counts as ours in both snapshots.
        let process = contender.peer?.process
        let before = CPUSnapshot.now(countingAlso: process), started = DispatchTime.now().uptimeNanoseconds
        var peerSeconds = 0.0
        do {
            if let peer = contender.peer {
                peerSeconds = try peer.run()
            } else {
                for _ in 0..<times { try contender.run!() }
            }
        } catch {
            throw BenchError("\(benchCase.name) on \(contender.name): \(error)")
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let load = before.flatMap { before in
            CPUSnapshot.now(countingAlso: process).map { before.otherProcessesLoad(until: $0, wallSeconds: wall) }
        } ?? 0
        return (contender.peer != nil ? peerSeconds : wall / Double(times), load)
    }
}

/// A bench run that cannot go on, in one line.
public struct BenchError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
