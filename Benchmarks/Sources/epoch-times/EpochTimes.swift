import ArgumentParser
import Datasets
import Engine
import Foundation
import Learning
import OpenCL

/// Training epoch times on full MNIST, per backend, in one process: the numbers the dense and
/// CNN issues' targets are stated in, next to the Keras and PyTorch times measured on this
/// machine (those libraries are not installed here, so their times are quoted, not re-run).
@main
struct EpochTimes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "epoch-times",
        abstract: "Median training-epoch time on full MNIST (60,000 images) per model, batch size and backend.",
        discussion: """
            Each case trains from seed 1: one untimed warm-up epoch (program builds, first \
            allocations), then --epochs timed ones; an epoch's time is the trainer's own record \
            (every batch's upload, forward, loss, backward and update, and the end-of-epoch read). \
            Needs SIGNET_DATA (or the dataset cache).
            """)

    @Option(name: .long, parsing: .upToNextOption, help: "Cases: mlp-32, mlp-128, cnn-128.")
    var cases: [BenchmarkCase] = BenchmarkCase.allCases

    @Option(name: .long, parsing: .upToNextOption, help: "Backends: cpu, opencl.")
    var backends: [BackendKind] = [.cpu, .opencl]

    @Option(name: .long, help: "Timed epochs per case (the median is reported).")
    var epochs = 3

    func run() throws {
        let examples = try DatasetStore().load(.mnist, split: .train)
            .examples(SubsetSpecification(classes: Array(0...9), perClass: nil, selection: .first))
        print("| case | backend | median epoch (s) | reference | ours / reference |")
        print("| --- | --- | ---: | --- | ---: |")
        for benchmark in cases {
            let data = try TrainingData(features: examples.features, targets: examples.oneHotTargets(),
                                        featureShape: benchmark.inputShape, classes: 10)
            for kind in backends {
                let backend: any Backend = kind == .cpu ? CPUBackend() : try OpenCLBackend(device: try openCLDevice())
                let seconds = try medianEpoch(benchmark, data: data, backend: backend)
                let (name, reference) = benchmark.reference
                print("| \(benchmark.rawValue) | \(kind.rawValue) | \(String(format: "%.2f", seconds)) | \(name) \(reference) s | "
                    + String(format: "%.2f", seconds / reference) + " |")
            }
        }
    }

    private func medianEpoch(_ benchmark: BenchmarkCase, data: TrainingData, backend: any Backend) throws -> Double {
        var generator = SeededGenerator(seed: 1)
        let model = try Sequential(spec: try benchmark.spec(), backend: backend, generator: &generator)
        let trainer = try Trainer(model: model, configuration: TrainingConfiguration(epochs: epochs + 1, batchSize: benchmark.batchSize, seed: 1),
                                  generator: generator)
        try trainer.fit(data)
        let timed = trainer.history.dropFirst().map(\.seconds).sorted()
        return timed[timed.count / 2]
    }

    private func openCLDevice() throws -> Device {
        let devices = try Device.all()
        guard let device = devices.first(where: { $0.kind == .gpu }) ?? devices.first else {
            throw ValidationError("no OpenCL device")
        }
        return device
    }
}

/// The models and batch sizes the issues quote reference times for.
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

    /// The fastest peer library's epoch time measured on this machine (from the issues), in seconds.
    var reference: (String, Double) {
        switch self {
        case .mlp32: return ("PyTorch", 2.08)
        case .mlp128: return ("PyTorch", 0.85)
        case .cnn128: return ("Keras", 8.9)
        }
    }
}

extension BackendKind: @retroactive ExpressibleByArgument {}
