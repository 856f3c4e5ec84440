import Engine
import Foundation
import SignetBuild

/// Everything needed to continue training exactly where it stopped, stored as one safetensors
/// file: the weights, the optimizer's state and step count, the epochs done and their history,
/// the random generator (which shuffles the next epoch), the model and the training settings.
///
/// On the CPU backend, training E epochs in one go and E1 + (E - E1) with a resume in between
/// gives identical weights.
///
/// A checkpoint may also hold only the weights and the model (`signet.format`, `signet.model`,
/// one tensor per parameter), as a model trained elsewhere is written (docs/GUIDE.md): it reads
/// as one trained 0 epochs here, with the default settings and a fresh optimizer.
public struct Checkpoint {
    public var model: ModelSpec
    public var configuration: TrainingConfiguration
    public var epochsCompleted: Int
    public var optimizerSteps: Int
    public var generator: SeededGenerator
    public var history: [EpochRecord]
    /// Weights by parameter name (`hidden_1.kernel` ...).
    public var parameters: [String: SafeTensors.Entry]
    /// Optimizer state by name (`optimizer/hidden_1.kernel/m` ...).
    public var optimizerState: [String: SafeTensors.Entry]
    /// The caller's own notes (which data the model was trained on, say), kept verbatim.
    public var annotations: [String: String]
    /// The build of Signet that wrote it (`signet.build`, JSON); nil for a checkpoint written
    /// before builds were recorded, or by another program.
    public var build: SignetBuild?

    static let format = "signet-checkpoint-1"

    /// Captures `trainer` now (reads its tensors back from the backend).
    public init(trainer: Trainer, annotations: [String: String] = [:]) throws {
        let backend = trainer.model.backend
        model = trainer.model.spec
        configuration = trainer.configuration
        epochsCompleted = trainer.epochsCompleted
        optimizerSteps = trainer.optimizer.stepCount
        generator = trainer.generator
        history = trainer.history
        parameters = try Dictionary(uniqueKeysWithValues: trainer.model.parameters.map {
            ($0.name, SafeTensors.Entry(shape: $0.value.shape, values: try backend.read($0.value)))
        })
        optimizerState = try Dictionary(uniqueKeysWithValues: trainer.optimizer.stateTensors.map {
            ($0.name, SafeTensors.Entry(shape: $0.tensor.shape, values: try backend.read($0.tensor)))
        })
        self.annotations = annotations
        build = .current
    }

    /// Writes the checkpoint to `url` atomically: a reader never sees half a file.
    /// - Throws: `LearningError.nonFiniteWeight` (and writes nothing) when a weight is NaN or
    ///   infinite: a diverged model is never saved.
    public func write(to url: URL) throws {
        for name in parameters.keys.sorted() where !parameters[name]!.values.allSatisfy(\.isFinite) {
            throw LearningError.nonFiniteWeight(parameter: name, path: url.path)
        }
        var metadata = annotations
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        metadata["signet.format"] = Self.format
        metadata["signet.model"] = try json(model)
        metadata["signet.training"] = try json(configuration)
        metadata["signet.epochs_completed"] = String(epochsCompleted)
        metadata["signet.optimizer_steps"] = String(optimizerSteps)
        // Hex words: JSON numbers above 2^53 lose bits in many readers.
        metadata["signet.generator"] = generator.state.map { String($0, radix: 16) }.joined(separator: ",")
        metadata["signet.history"] = try json(history)
        if let build { metadata["signet.build"] = try json(build) }
        let file = SafeTensors(tensors: parameters.merging(optimizerState) { first, _ in first }, metadata: metadata)
        try file.encoded().write(to: url, options: .atomic)
    }

    /// Reads and validates a checkpoint file.
    /// - Throws: `LearningError.badCheckpoint` naming the file and what is wrong.
    public static func read(from url: URL) throws -> Checkpoint {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw LearningError.badCheckpoint(path: url.path, reason: "cannot read the file")
        }
        return try decode(data, path: url.path)
    }

    /// Validates a checkpoint file's bytes; `path` names it in errors.
    package static func decode(_ data: Data, path: String) throws -> Checkpoint {
        func fail(_ reason: String) -> LearningError { .badCheckpoint(path: path, reason: reason) }
        let file: SafeTensors
        do { file = try SafeTensors(decoding: data) } catch { throw fail("\(error)") }
        let metadata = file.metadata
        guard metadata["signet.format"] == format else { throw fail("not a Signet checkpoint (no \(format) marker)") }
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            guard let text = metadata[key], let value = try? decoder.decode(type, from: Data(text.utf8)) else {
                throw fail("missing or unreadable \(key)")
            }
            return value
        }
        let model = try decode(ModelSpec.self, "signet.model")
        let parameters = file.tensors.filter { !$0.key.hasPrefix("optimizer/") }
        let optimizerState = file.tensors.filter { $0.key.hasPrefix("optimizer/") }
        let annotations = metadata.filter { !$0.key.hasPrefix("signet.") }
        // Informative only: a missing or unreadable build does not make the weights unusable.
        let build = metadata["signet.build"].flatMap { try? decoder.decode(SignetBuild.self, from: Data($0.utf8)) }
        guard metadata["signet.training"] != nil else {
            // Weights only (a model trained elsewhere, see docs/GUIDE.md): nothing trained here yet.
            guard optimizerState.isEmpty, metadata["signet.epochs_completed"] == nil, metadata["signet.history"] == nil else {
                throw fail("training state without signet.training: a checkpoint holds all of it or only the weights")
            }
            let configuration = TrainingConfiguration()
            return Checkpoint(model: model, configuration: configuration, epochsCompleted: 0, optimizerSteps: 0,
                              generator: SeededGenerator(seed: configuration.seed), history: [], parameters: parameters,
                              optimizerState: [:], annotations: annotations, build: build)
        }
        let words = (metadata["signet.generator"] ?? "").split(separator: ",").compactMap { UInt64($0, radix: 16) }
        guard let generator = SeededGenerator(state: words) else { throw fail("missing or unreadable signet.generator") }
        // Bounded so that counting on from them can never overflow.
        guard let epochs = metadata["signet.epochs_completed"].flatMap(Int.init), (0...Int(Int32.max)).contains(epochs),
              let steps = metadata["signet.optimizer_steps"].flatMap(Int.init), (0...Int(Int32.max)).contains(steps) else {
            throw fail("missing or unreadable epoch or step count")
        }
        return Checkpoint(
            model: model, configuration: try decode(TrainingConfiguration.self, "signet.training"),
            epochsCompleted: epochs, optimizerSteps: steps, generator: generator,
            history: try decode([EpochRecord].self, "signet.history"),
            parameters: parameters, optimizerState: optimizerState, annotations: annotations, build: build)
    }

    private init(model: ModelSpec, configuration: TrainingConfiguration, epochsCompleted: Int, optimizerSteps: Int,
                 generator: SeededGenerator, history: [EpochRecord], parameters: [String: SafeTensors.Entry],
                 optimizerState: [String: SafeTensors.Entry], annotations: [String: String], build: SignetBuild?) {
        self.model = model
        self.configuration = configuration
        self.epochsCompleted = epochsCompleted
        self.optimizerSteps = optimizerSteps
        self.generator = generator
        self.history = history
        self.parameters = parameters
        self.optimizerState = optimizerState
        self.annotations = annotations
        self.build = build
    }

    /// Rebuilds the model on `backend` with the stored weights and a trainer in the stored
    /// state. `configuration` replaces the stored settings (to train for more epochs, say);
    /// the optimizer must be the same kind.
    /// - Throws: `LearningError.badCheckpoint` if any stored shape differs from the model's.
    public func makeTrainer(on backend: any Backend, configuration: TrainingConfiguration? = nil,
                            path: String = "checkpoint") throws -> Trainer {
        var unused = SeededGenerator(seed: 0)
        let model = try Sequential(spec: self.model, backend: backend, generator: &unused)
        let trainer = try Trainer(model: model, configuration: configuration ?? self.configuration, generator: generator)
        guard trainer.optimizer.spec.slots == self.configuration.optimizer.slots else {
            throw LearningError.badCheckpoint(path: path, reason: "the checkpoint's optimizer state is for another optimizer")
        }
        try load(parameters, into: model.parameters.map { ($0.name, $0.value) }, backend: backend, path: path)
        // A weights-only checkpoint starts the optimizer afresh (zero state), as Keras's
        // `load_weights` does.
        if !optimizerState.isEmpty || optimizerSteps > 0 {
            try load(optimizerState, into: trainer.optimizer.stateTensors, backend: backend, path: path)
        }
        trainer.optimizer.stepCount = optimizerSteps
        trainer.epochsCompleted = epochsCompleted
        trainer.history = history
        return trainer
    }

    private func load(_ stored: [String: SafeTensors.Entry], into targets: [(name: String, tensor: Tensor)],
                      backend: any Backend, path: String) throws {
        guard Set(stored.keys) == Set(targets.map(\.name)) else {
            let missing = Set(targets.map(\.name)).subtracting(stored.keys).sorted()
            let extra = Set(stored.keys).subtracting(targets.map(\.name)).sorted()
            throw LearningError.badCheckpoint(path: path, reason: "tensors do not match the model (missing \(missing), unexpected \(extra))")
        }
        for (name, tensor) in targets {
            let entry = stored[name]!
            guard entry.shape == tensor.shape else {
                throw LearningError.badCheckpoint(path: path, reason: "'\(name)' has shape \(entry.shape), the model needs \(tensor.shape)")
            }
            try backend.write(entry.values, to: tensor)
        }
    }
}
