import ArgumentParser
import Bench
import Datasets
import Engine
import Foundation
import GEMMContenders
import Learning
import OpenCL

/// Training epoch times on full MNIST, per backend and against PyTorch and Keras run on the same
/// machine in the same session: every contender trains one epoch per round, in an order that
/// turns each round, and each figure is the median of the rounds, with the spread and the share
/// of the CPUs other processes used while it ran. No peer time is quoted from anywhere else.
@main
struct EpochTimes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "epoch-times",
        abstract: "Median training-epoch time on full MNIST (60,000 images): Signet's backends, PyTorch and Keras, interleaved.",
        discussion: """
            Each contender builds its model from seed 1 and trains one untimed warm-up epoch \
            (program builds, graph tracing, first allocations). Then --rounds rounds: in each, \
            every contender trains one epoch, a different one first each round. Signet's epoch \
            time is its trainer's own record (every batch's upload, forward, loss, backward and \
            update, and the end-of-epoch read); a peer's is time.perf_counter around its epoch \
            (Benchmarks/peers/training_peer.py, which says what it runs). Peers run from the \
            venv that `Benchmarks/peers/setup-venv.sh --training` makes. Needs SIGNET_DATA.
            """)

    @Option(name: .long, parsing: .upToNextOption, help: "Cases: mlp-32, mlp-128, cnn-128.")
    var cases: [BenchmarkCase] = BenchmarkCase.allCases

    @Option(name: .long, parsing: .upToNextOption, help: "Signet's backends: cpu, opencl.")
    var backends: [BackendKind] = [.cpu, .opencl]

    @Option(name: .long, parsing: .upToNextOption, help: "Peers: torch, keras.")
    var peers: [TrainingPeerProcess.Framework] = TrainingPeerProcess.Framework.allCases

    // (ArgumentParser refuses an array option with no values, so "none" is a flag of its own.)
    @Flag(name: .long, help: "No peers: Signet's backends only.")
    var noPeers = false

    /// The peers this run times.
    var timedPeers: [TrainingPeerProcess.Framework] { noPeers ? [] : peers }

    @Option(name: .long, help: "The peers' python (default: the training venv's, when it exists).")
    var peerPython: String?

    @Option(name: .long, help: "Timed rounds per case (every contender one epoch each; the median is reported).")
    var rounds = 5

    func validate() throws {
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
    }

    func run() throws {
        guard let folder = ProcessInfo.processInfo.environment["SIGNET_DATA"] else {
            throw ValidationError("set SIGNET_DATA to the folder with mnist/ (the peers read it too)")
        }
        let python = try timedPeers.isEmpty ? nil : peerInterpreter()
        let examples = try DatasetStore().load(.mnist, split: .train)
            .examples(SubsetSpecification(classes: Array(0...9), perClass: nil, selection: .first))
        print("Machine: \(MachineDescription.processor), \(ProcessInfo.processInfo.activeProcessorCount) CPUs; "
            + "OPENBLAS_CORETYPE \(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "unset") "
            + "(the CPU backend's GEMM is OpenBLAS); \(rounds) rounds, medians.")
        print("")
        print("| case | contender | median epoch (s) | fastest - slowest (s) | other load | Signet cpu / this |")
        print("| --- | --- | ---: | ---: | ---: | ---: |")
        for benchmark in cases {
            let data = try TrainingData(features: examples.features, targets: examples.oneHotTargets(),
                                        featureShape: benchmark.inputShape, classes: 10)
            var contenders: [any EpochContender] = []
            for kind in backends {
                let backend: any Backend = kind == .cpu ? CPUBackend() : try OpenCLBackend(device: try openCLDevice())
                contenders.append(try SignetContender(benchmark, backend: backend, kind: kind, data: data))
            }
            if let python {
                for framework in timedPeers {
                    log("starting \(framework.rawValue) for \(benchmark.rawValue) (loads MNIST, builds, one warm-up epoch)")
                    contenders.append(try PeerContender(framework, case: benchmark, python: python, data: folder))
                }
            }
            var samples = [[EpochSample]](repeating: [], count: contenders.count)
            for round in 0..<rounds {
                for turn in 0..<contenders.count {
                    let index = (turn + round) % contenders.count
                    let before = CPUSnapshot.now(countingAlso: contenders[index].processIdentifier)
                    let start = Date()
                    let seconds = try contenders[index].trainEpoch()
                    let wall = Date().timeIntervalSince(start)
                    let after = CPUSnapshot.now(countingAlso: contenders[index].processIdentifier)
                    let load = before.flatMap { b in after.map { b.otherProcessesLoad(until: $0, wallSeconds: wall) } }
                    samples[index].append(EpochSample(seconds: seconds, otherLoad: load))
                    log("\(benchmark.rawValue) round \(round + 1): \(contenders[index].name) "
                        + String(format: "%.3f s", seconds) + (load.map { String(format: ", other load %.0f%%", $0 * 100) } ?? ""))
                }
            }
            let medians = samples.map { median($0.map(\.seconds)) }
            let cpuMedian = zip(contenders, medians).first { $0.0.name == "Signet cpu" }?.1
            for (index, contender) in contenders.enumerated() {
                let times = samples[index].map(\.seconds)
                let loads = samples[index].compactMap(\.otherLoad)
                let ratio = cpuMedian.map { String(format: "%.2f", $0 / medians[index]) } ?? "-"
                print("| \(benchmark.rawValue) | \(contender.name) | \(String(format: "%.3f", medians[index])) | "
                    + String(format: "%.3f - %.3f", times.min() ?? 0, times.max() ?? 0) + " | "
                    + (loads.isEmpty ? "-" : String(format: "%.0f%%", median(loads) * 100)) + " | \(ratio) |")
            }
            for contender in contenders { contender.stop() }
        }
        print("")
        print("Signet cpu / this: above 1, that contender is faster than Signet's CPU backend. Other load: the median share "
            + "of all CPUs that other processes used during a contender's epochs (above 5%, distrust its figure).")
    }

    private func peerInterpreter() throws -> String {
        if let peerPython { return peerPython }
        let venv = ProcessInfo.processInfo.environment["SIGNET_TRAINING_PEERS_VENV"]
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/signet/training-peers-venv").path
        let python = venv + "/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ValidationError("no peer venv at \(venv): run Benchmarks/peers/setup-venv.sh --training, or pass --no-peers")
        }
        return python
    }

    private func openCLDevice() throws -> Device {
        let devices = try Device.all()
        guard let device = devices.first(where: { $0.kind == .gpu }) ?? devices.first else {
            throw ValidationError("no OpenCL device")
        }
        return device
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

func log(_ message: String) {
    FileHandle.standardError.write(Data(("epoch-times: " + message + "\n").utf8))
}

/// One timed epoch and the other processes' share of the CPUs during it.
struct EpochSample {
    var seconds: Double
    var otherLoad: Double?
}

/// The models and batch sizes timed (the peers' script knows the same names).
enum BenchmarkCase: String, CaseIterable, ExpressibleByArgument {
    case mlp32 = "mlp-32"
    case mlp128 = "mlp-128"
    case cnn128 = "cnn-128"

    var batchSize: Int { self == .mlp32 ? 32 : 128 }
    var inputShape: [Int] { self == .cnn128 ? [28, 28, 1] : [784] }

    func spec() throws -> ModelSpec {
        switch self {
        case .mlp32, .mlp128: return .multilayerPerceptron(inputs: 784, hidden: [32, 64], classes: 10)
        case .cnn128: return try .parse("conv(32,3) pool(2) dropout(0.25) flatten dropout(0.5)", inputShape: [28, 28, 1], classes: 10)
        }
    }
}

extension BackendKind: @retroactive ExpressibleByArgument {}

extension TrainingPeerProcess.Framework: @retroactive ExpressibleByArgument {}
