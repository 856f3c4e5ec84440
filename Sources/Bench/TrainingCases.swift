import Datasets
import Engine
import Learning

/// One training epoch on MNIST's 60,000 training images, as `signet train` runs it: the dense
/// network 784-32-64-10 at batch 32 and 128, and the `cnn` model at batch 128 (the shapes of
/// `Benchmarks/epoch-times`, where the same epochs run beside PyTorch's and Keras's).
enum TrainingCases {
    /// The cases of `workload` (`.mlp` or `.cnn`) on `images`, with PyTorch and Keras as peers
    /// when asked (they train the same network on the same images, `training_peer.py`).
    static func cases(_ workload: BenchWorkload, images: LazyInput<LabeledImages>, withPeers: Bool) -> [BenchCase] {
        // The training data of one feature shape, made when a case is first prepared.
        func data(_ featureShape: [Int]) -> LazyInput<TrainingData> {
            LazyInput {
                let examples = try images.value().examples(SubsetSpecification(classes: Array(0...9), perClass: nil, selection: .first))
                return try TrainingData(features: examples.features, targets: examples.oneHotTargets(), featureShape: featureShape,
                                        classes: 10)
            }
        }
        switch workload {
        case .mlp:
            let data = data([784])
            let spec = ModelSpec.multilayerPerceptron(inputs: 784, hidden: [32, 64], classes: 10)
            return [32, 128].map { batch in
                epoch(.mlp, "dense 784-32-64-10 epoch, batch \(batch)", spec: spec, batch: batch, data: data, warmUp: true,
                      peers: withPeers ? peers(case: "mlp-\(batch)") : [])
            }
        case .cnn:
            let data = data([28, 28, 1])
            // A fixed, valid layer string: parsing it cannot fail.
            let spec = try! ModelSpec.parse("conv(32,3) pool(2) dropout(0.25) flatten dropout(0.5)", inputShape: [28, 28, 1], classes: 10)
            // No warm-up epoch: one takes seconds, and the backend's own warm-up compiled its kernels.
            return [epoch(.cnn, "cnn epoch, batch 128", spec: spec, batch: 128, data: data, warmUp: false,
                          peers: withPeers ? peers(case: "cnn-128") : [])]
        default:
            return []
        }
    }

    /// A case whose run trains one more epoch of a model built once per backend (seed 1).
    static func epoch(_ workload: BenchWorkload, _ name: String, spec: ModelSpec, batch: Int, data: LazyInput<TrainingData>,
                      warmUp: Bool, peers: [(PeerEnvironment) throws -> PeerRun?]) -> BenchCase {
        BenchCase(workload: workload, name: name, warmUp: warmUp, peers: peers) { backend in
            let data = try data.value()
            var generator = SeededGenerator(seed: 1)
            let model = try Sequential(spec: spec, backend: backend, generator: &generator)
            // Epochs enough for any number of runs; each run trains one more.
            let trainer = try Trainer(model: model, configuration: TrainingConfiguration(epochs: 1_000_000, batchSize: batch, seed: 1),
                                      generator: generator)
            return {
                _ = try trainer.fit(data, upToEpoch: trainer.epochsCompleted + 1)
                try backend.synchronize()
            }
        }
    }

    /// PyTorch and Keras on the script's case `trainingCase`, where the training venv exists.
    static func peers(case trainingCase: String) -> [(PeerEnvironment) throws -> PeerRun?] {
        TrainingPeerProcess.Framework.allCases.map { framework in
            { environment in
                guard let python = environment.trainingPython, let data = environment.data else { return nil }
                let process = try TrainingPeerProcess(framework, case: trainingCase, python: python,
                                                      script: environment.scripts.appendingPathComponent("training_peer.py"), data: data)
                return PeerRun(name: process.name, process: process.processIdentifier, run: process.trainEpoch, stop: process.stop)
            }
        }
    }
}
