import Engine
import Foundation
import Learning
import SignetBuild
import Testing

@Suite("Training", .serialized)
struct TrainingTests {
    static let spec = ModelSpec.multilayerPerceptron(inputs: 6, hidden: [8, 5], classes: 3)

    func train(_ kind: BackendKind, epochs: Int, seed: UInt64 = 1, data: TrainingData? = nil,
               configuration: TrainingConfiguration? = nil) throws -> Trainer {
        let backend = try LearningTestBackends.make(kind)
        let config = configuration ?? TrainingConfiguration(epochs: epochs, batchSize: 16, seed: seed)
        var generator = SeededGenerator(seed: config.seed)
        let model = try Sequential(spec: Self.spec, backend: backend, generator: &generator)
        let trainer = try Trainer(model: model, configuration: config, generator: generator)
        try trainer.fit(data ?? blobs(count: 300, features: 6, classes: 3, seed: 2))
        return trainer
    }

    func weights(_ trainer: Trainer) throws -> [[Float]] {
        try trainer.model.parameters.map { try trainer.model.backend.read($0.value) }
    }

    /// Scored on points it never saw: 300 more from the same three blobs (the same seed draws
    /// the same centers, then fresh noise for points 300-599).
    @Test(arguments: [BackendKind.cpu, .opencl])
    func learnsSeparableBlobs(kind: BackendKind) throws {
        let points = blobs(count: 600, features: 6, classes: 3, seed: 2)
        let trainer = try train(kind, epochs: 15, data: points.subset(0..<300))
        let test = points.subset(300..<600)
        #expect(Set(stride(from: 0, to: test.features.count, by: 6).map { test.features[$0] })
            .isDisjoint(with: stride(from: 0, to: 300 * 6, by: 6).map { points.features[$0] }), "held-out points are new")
        let (_, accuracy) = try trainer.evaluate(test)
        #expect(accuracy > 0.9, "accuracy \(accuracy)")
        #expect(trainer.history.count == 15)
        #expect(trainer.history.last!.loss < trainer.history.first!.loss)
        // Training accuracy as recorded on the device agrees with predictions read back.
        let probabilities = try trainer.model.predict(test.features)
        let predicted = ClassificationMetrics.argmax(probabilities, classes: 3)
        let metrics = ClassificationMetrics(predicted: predicted, actual: test.classIndices, classes: 3)
        #expect(abs(metrics.accuracy - accuracy) < 1e-9)
    }

    @Test func sameSeedSameWeightsOnTheCPU() throws {
        let a = try train(.cpu, epochs: 3, seed: 7), b = try train(.cpu, epochs: 3, seed: 7)
        let c = try train(.cpu, epochs: 3, seed: 8)
        #expect(try weights(a) == weights(b))
        #expect(try weights(a) != weights(c))
    }

    @Test func openCLAgreesWithTheCPUAfterOneEpoch() throws {
        let cpu = try train(.cpu, epochs: 1, seed: 3), openCL = try train(.opencl, epochs: 1, seed: 3)
        #expect(abs(cpu.history[0].accuracy - openCL.history[0].accuracy) <= 0.005, "within 0.5 points")
        for (c, o) in zip(try weights(cpu), try weights(openCL)) {
            #expect(zip(c, o).allSatisfy { abs($0 - $1) < 1e-3 })
        }
    }

    /// 4 epochs in one go equal 2, a checkpoint written and read back, then 2 more: bit for bit on
    /// the CPU backend (optimizer moments, step count and the shuffling generator all restored).
    @Test func resumeIsExactOnTheCPU() throws {
        let data = blobs(count: 200, features: 6, classes: 3, seed: 4)
        let straight = try train(.cpu, epochs: 4, seed: 11, data: data)
        let firstHalf = try train(.cpu, epochs: 2, seed: 11, data: data,
                                  configuration: TrainingConfiguration(epochs: 2, batchSize: 16, seed: 11))
        let file = temporaryFile("resume.safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try Checkpoint(trainer: firstHalf, annotations: ["data": "blobs"]).write(to: file)
        let checkpoint = try Checkpoint.read(from: file)
        #expect(checkpoint.annotations == ["data": "blobs"])
        #expect(checkpoint.epochsCompleted == 2)
        let resumed = try checkpoint.makeTrainer(on: CPUBackend(), configuration: TrainingConfiguration(epochs: 4, batchSize: 16, seed: 11))
        try resumed.fit(data)
        #expect(try weights(resumed) == weights(straight))
        #expect(resumed.history.map(\.loss) == straight.history.map(\.loss))
        #expect(resumed.optimizer.stepCount == straight.optimizer.stepCount)
    }

    /// Keras trains on the first floor(n * (1 - split)) examples and validates on the rest.
    @Test func validationSplitCountsAsKerasDoes() throws {
        let data = blobs(count: 10, features: 6, classes: 3, seed: 1)
        let (training, validation) = try data.splitLast(0.25)
        #expect(training.count == 7 && validation.count == 3)
        let hundred = blobs(count: 100, features: 6, classes: 3, seed: 1)
        #expect(try hundred.splitLast(0.333).training.count == 66)
        #expect(throws: LearningError.self) { try data.splitLast(0.999) }
    }

    @Test func checkpointWithImpossibleCountersIsRefused() throws {
        let trainer = try train(.cpu, epochs: 1)
        let file = temporaryFile("counters.safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try Checkpoint(trainer: trainer).write(to: file)
        var stored = try SafeTensors(decoding: Data(contentsOf: file))
        stored.metadata["signet.optimizer_steps"] = String(Int.max)
        try stored.encoded().write(to: file)
        #expect(throws: LearningError.self) { try Checkpoint.read(from: file) }
    }

    /// A checkpoint records the build that wrote it; one without the record (older, or written by
    /// another program) or with an unreadable one still loads, its build unknown.
    @Test func checkpointNamesItsBuildAndLoadsWithout() throws {
        let trainer = try train(.cpu, epochs: 1)
        let file = temporaryFile("build.safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try Checkpoint(trainer: trainer).write(to: file)
        #expect(try Checkpoint.read(from: file).build == SignetBuild.current)
        var stored = try SafeTensors(decoding: Data(contentsOf: file))
        for damaged in [nil, "{not json"] as [String?] {
            stored.metadata["signet.build"] = damaged
            try stored.encoded().write(to: file)
            let read = try Checkpoint.read(from: file)
            #expect(read.build == nil)
            #expect(try weights(read.makeTrainer(on: CPUBackend())) == weights(trainer))
        }
    }

    /// A model trained elsewhere is written as its weights and model only (docs/GUIDE.md): it
    /// reads as trained 0 epochs here, with a fresh optimizer; training state without the
    /// training settings is refused.
    @Test func weightsOnlyCheckpointsRead() throws {
        let trainer = try train(.cpu, epochs: 2)
        let file = temporaryFile("weights.safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try Checkpoint(trainer: trainer).write(to: file)
        let full = try SafeTensors(decoding: Data(contentsOf: file))
        var weightsOnly = full
        weightsOnly.tensors = full.tensors.filter { !$0.key.hasPrefix("optimizer/") }
        weightsOnly.metadata = full.metadata.filter { ["signet.format", "signet.model"].contains($0.key) }
        try weightsOnly.encoded().write(to: file)
        let read = try Checkpoint.read(from: file)
        #expect(read.epochsCompleted == 0 && read.optimizerSteps == 0 && read.history.isEmpty && read.build == nil)
        let restored = try read.makeTrainer(on: CPUBackend())
        #expect(try weights(restored) == weights(trainer))
        #expect(restored.optimizer.stepCount == 0)

        var halfState = full
        halfState.metadata.removeValue(forKey: "signet.training")
        try halfState.encoded().write(to: file)
        #expect(throws: LearningError.self) { try Checkpoint.read(from: file) }
    }

    @Test func checkpointRejectsAnotherModel() throws {
        let trainer = try train(.cpu, epochs: 1)
        let file = temporaryFile("model.safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        var checkpoint = try Checkpoint(trainer: trainer)
        checkpoint.model = .multilayerPerceptron(inputs: 6, hidden: [9, 5], classes: 3)
        try checkpoint.write(to: file)
        #expect(throws: LearningError.self) { try Checkpoint.read(from: file).makeTrainer(on: CPUBackend()) }
    }

    @Test func earlyStoppingStopsWhenValidationLossStalls() throws {
        // Labels that are pure noise: validation loss cannot keep improving.
        var data = blobs(count: 200, features: 6, classes: 3, seed: 5)
        var generator = SeededGenerator(seed: 6)
        var targets = data.targets
        for row in 0..<200 {
            let c = generator.nextIndex(below: 3)
            for k in 0..<3 { targets[row * 3 + k] = k == c ? 1 : 0 }
        }
        data = try TrainingData(features: data.features, targets: targets, featureShape: [6], classes: 3)
        let (training, validation) = try data.splitLast(0.25)
        #expect(training.count == 150 && validation.count == 50)
        let config = TrainingConfiguration(epochs: 200, batchSize: 16, optimizer: .adam(AdamHyperparameters(learningRate: 0.01)),
                                           seed: 1, validationSplit: 0.25, earlyStoppingPatience: 3)
        var g = SeededGenerator(seed: 1)
        let trainer = try Trainer(model: try Sequential(spec: Self.spec, backend: CPUBackend(), generator: &g),
                                  configuration: config, generator: g)
        try trainer.fit(training, validation: validation)
        #expect(trainer.history.count < 200)
        let losses = trainer.history.compactMap(\.validationLoss)
        let best = losses.indices.min { losses[$0] < losses[$1] }!
        #expect(losses.count - 1 - best == 3, "stops exactly `patience` epochs after the best")
    }

    @Test func nonFiniteLossStopsTraining() throws {
        // A learning rate of 1e30 throws the weights past float range within a few steps.
        let huge = blobs(count: 64, features: 6, classes: 3, seed: 12)
        let config = TrainingConfiguration(epochs: 2, batchSize: 16, loss: .meanSquaredError,
                                           optimizer: .sgd(SGDHyperparameters(learningRate: 1e30)), seed: 1)
        do {
            let trainer = try train(.cpu, epochs: 2, data: huge, configuration: config)
            Issue.record("training with an exploding learning rate did not stop: \(trainer.history)")
        } catch let error as LearningError {
            guard case .nonFiniteLoss = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.description.contains("NaN or infinite"))
        }
    }

    /// Adam at 1e6 drives the softmax into certainty: the loss stays finite but is pinned at the
    /// clip bound for every wrong answer (as `--lr 1e6` on MNIST did, training on to 10% without
    /// a word). Training must stop with the epoch and step, and leave no checkpoint.
    @Test func crossEntropyPinnedAtTheClipBoundStopsTraining() throws {
        let data = blobs(count: 300, features: 6, classes: 3, seed: 2)
        let config = TrainingConfiguration(epochs: 3, batchSize: 16, optimizer: .adam(AdamHyperparameters(learningRate: 1e6)), seed: 1)
        do {
            let trainer = try train(.cpu, epochs: 3, data: data, configuration: config)
            Issue.record("training at Adam 1e6 did not stop: \(trainer.history)")
        } catch let error as LearningError {
            guard case let .pinnedLoss(epoch, step, loss, accuracy) = error else { Issue.record("unexpected \(error)"); return }
            #expect(step == 19 * epoch, "300 images in batches of 16 make 19 steps an epoch; stopped at the epoch's last")
            #expect(loss.isFinite && loss >= 0.99 * (1 - accuracy) * -log(1e-7))
            #expect(error.description.contains("epoch \(epoch), step \(step)") && error.description.contains("lower learning rate"))
        }
    }

    /// The rule that stops it, at its edges: a diverged run's numbers stop; a fresh network
    /// (ln 10 at chance), a trained one with a few certain mistakes, and a perfect one do not.
    @Test func thePinnedLossRuleSparesHealthyTraining() {
        let bound = -log(1e-7)
        #expect(Trainer.isPinnedAtClipBound(loss: 14.46, accuracy: 0.0976))
        #expect(Trainer.isPinnedAtClipBound(loss: 0.99 * bound, accuracy: 0))
        #expect(Trainer.isPinnedAtClipBound(loss: 8.06, accuracy: 0.5))
        #expect(!Trainer.isPinnedAtClipBound(loss: log(10), accuracy: 0.1))
        #expect(!Trainer.isPinnedAtClipBound(loss: 0.0116, accuracy: 0.9999))
        #expect(!Trainer.isPinnedAtClipBound(loss: 0.98 * 0.9 * bound, accuracy: 0.1))
        #expect(!Trainer.isPinnedAtClipBound(loss: 0, accuracy: 1))
    }

    /// A NaN weight is never written: the checkpoint refuses, naming the weight, and no file appears.
    @Test func nonFiniteWeightsAreNeverSaved() throws {
        let trainer = try train(.cpu, epochs: 1)
        let parameter = trainer.model.parameters[1]
        var values = try trainer.model.backend.read(parameter.value)
        values[values.count / 2] = .nan
        try trainer.model.backend.write(values, to: parameter.value)
        let file = temporaryFile("diverged.safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(throws: LearningError.nonFiniteWeight(parameter: parameter.name, path: file.path)) {
            try Checkpoint(trainer: trainer).write(to: file)
        }
        #expect(!FileManager.default.fileExists(atPath: file.path))
    }

    @Test func badSettingsAreRefused() throws {
        for config in [TrainingConfiguration(epochs: 0), TrainingConfiguration(batchSize: 0),
                       TrainingConfiguration(optimizer: .adam(AdamHyperparameters(learningRate: -1))),
                       TrainingConfiguration(validationSplit: 1.5), TrainingConfiguration(earlyStoppingPatience: 0)] {
            #expect(throws: LearningError.self) { try config.validate() }
        }
        let wrongClasses = blobs(count: 10, features: 6, classes: 4, seed: 1)
        #expect(throws: LearningError.self) { try train(.cpu, epochs: 1, data: wrongClasses) }
    }

    @Test func activationsOfNamedLayers() throws {
        let trainer = try train(.cpu, epochs: 1)
        let data = blobs(count: 23, features: 6, classes: 3, seed: 8)
        let signatures = try trainer.model.activations(of: ["hidden_1", "hidden_2"], for: data.features, batchSize: 10)
        #expect(signatures["hidden_1"]?.count == 23 * 8)
        #expect(signatures["hidden_2"]?.count == 23 * 5)
        #expect(signatures["hidden_1"]!.allSatisfy { $0 >= 0 }, "ReLU outputs")
        // The same call gives the same bits. Another batch size gives the same values up to
        // float rounding only: OpenBLAS computes the rows of a short last block with other
        // kernels (on this Sapphire Rapids, Debian's 0.3.21 differs in the last bit there).
        let again = try trainer.model.activations(of: ["hidden_1", "hidden_2"], for: data.features, batchSize: 10)
        #expect(again == signatures)
        let whole = try trainer.model.activations(of: ["hidden_2"], for: data.features, batchSize: 23)
        let worst = zip(whole["hidden_2"]!, signatures["hidden_2"]!).map { abs($0 - $1) / max(abs($1), 1) }.max()!
        #expect(worst <= 1e-6, "batch size changed a value by \(worst) relative")
        #expect(throws: LearningError.self) { try trainer.model.activations(of: ["conv_9"], for: data.features) }
    }
}
