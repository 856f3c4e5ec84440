import Engine
import Foundation

/// Trains a `Sequential` model with mini-batches, the way Keras's `fit` does.
///
/// Each step uploads one batch (gathered on the host in the epoch's shuffled order), runs the
/// forward pass, the loss, the backward pass and the optimizer on the backend, and accumulates
/// the loss and the correct count there: nothing is read back until the epoch ends.
public final class Trainer {
    public let model: Sequential
    public let configuration: TrainingConfiguration
    public let optimizer: Optimizer
    /// The generator after initialisation; it shuffles every epoch, and checkpoints store it.
    public internal(set) var generator: SeededGenerator
    public internal(set) var epochsCompleted = 0
    public internal(set) var history: [EpochRecord] = []

    private var backend: any Backend { model.backend }
    private let scratch: ScratchTensors
    /// Sum of per-sample losses and of correct predictions in the epoch so far.
    private let lossTotal: Tensor
    private let correctTotal: Tensor

    /// - Parameter generator: the generator the model was initialised from, in its state after
    ///   initialisation, so that one seed fixes the whole run.
    public init(model: Sequential, configuration: TrainingConfiguration, generator: SeededGenerator) throws {
        try configuration.validate()
        guard model.outputCount > 0 else { throw LearningError.invalidModel("the model has no outputs") }
        self.model = model
        self.configuration = configuration
        self.generator = generator
        optimizer = try Optimizer(spec: configuration.optimizer, parameters: model.parameters, backend: model.backend)
        scratch = ScratchTensors(backend: model.backend)
        lossTotal = try model.backend.zeros([1])
        correctTotal = try model.backend.zeros([1])
    }

    /// Trains from the epoch after `epochsCompleted` up to `configuration.epochs` (or to `lastEpoch`
    /// when given and sooner: Keras's `fit(initial_epoch:, epochs:)`, e.g. one epoch at a time),
    /// or until early stopping. Returns the records of the epochs it ran (also appended to `history`).
    @discardableResult
    public func fit(_ data: TrainingData, validation: TrainingData? = nil, upToEpoch lastEpoch: Int? = nil,
                    observer: (any TrainingObserver)? = nil) throws -> [EpochRecord] {
        try check(data)
        if let validation { try check(validation) }
        if configuration.earlyStoppingPatience != nil && validation == nil {
            throw LearningError.invalidConfiguration("early stopping needs validation data (a validation split or set)")
        }
        try checkBatchFits(data.count)
        var records: [EpochRecord] = []
        let last = min(configuration.epochs, lastEpoch ?? configuration.epochs)
        if epochsCompleted < last { observer?.trainingStarted(self) }
        while epochsCompleted < last {
            let epoch = epochsCompleted + 1
            var record = try trainEpoch(epoch, data, observer: observer)
            if let validation {
                let (loss, accuracy) = try evaluate(validation)
                record.validationLoss = loss
                record.validationAccuracy = accuracy
            }
            epochsCompleted = epoch
            history.append(record)
            records.append(record)
            try observer?.epochEnded(record, trainer: self)
            if shouldStopEarly() { break }
        }
        return records
    }

    /// Refuses a batch whose training memory (`ModelSummary`'s estimate, for the batch as it
    /// will run: at most the whole data set) exceeds half the backend's memory: such a run would
    /// be killed for memory, or fail deep in a device call, rather than train. Half, because the
    /// estimate leaves out the convolutions' patch matrices and the host's staging copies:
    /// `cnn2` at a batch of 60,000 was estimated at 17.7 GiB and was killed for memory on a
    /// 23 GiB host.
    private func checkBatchFits(_ examples: Int) throws {
        let batch = min(configuration.batchSize, max(examples, 1))
        let summary = ModelSummary(model: model, batch: batch, optimizer: configuration.optimizer)
        let available = backend.memoryBytes / 2
        guard summary.trainingBytesPerBatch <= available else {
            throw LearningError.invalidConfiguration(
                "a batch of \(MetricText.grouped(batch)) needs about \(MetricText.bytes(summary.trainingBytesPerBatch)) to train "
                    + "(weights, optimizer state, activations and their gradients), more than half the "
                    + "\(MetricText.bytes(backend.memoryBytes)) of \(backend.description); use a smaller batch")
        }
    }

    /// Loss and accuracy on `data` in inference mode, regularisation included, as Keras's
    /// `evaluate`, `batchSize` examples at a time (nil: as `Sequential.activations` chooses).
    public func evaluate(_ data: TrainingData, batchSize: Int? = nil) throws -> (loss: Double, accuracy: Double) {
        try check(data)
        let batchSize = try batchSize ?? model.largestInferenceBatch(upTo: Sequential.defaultInferenceBatch)
        try backend.fill(lossTotal, with: 0)
        try backend.fill(correctTotal, with: 0)
        try forEachBatch(of: data, order: Array(0..<data.count), batchSize: batchSize) { x, y in
            let output = try model.forward(x, training: false)
            try accumulate(output: output, targets: y)
        }
        let totals = try readTotals()
        return (totals.loss / Double(data.count) + (try model.regularizationLoss()), totals.correct / Double(data.count))
    }

    // MARK: One epoch

    private func trainEpoch(_ epoch: Int, _ data: TrainingData, observer: (any TrainingObserver)?) throws -> EpochRecord {
        let start = Date()
        var order = Array(0..<data.count)
        if configuration.shuffle { generator.shuffle(&order) }
        let batches = (data.count - 1) / configuration.batchSize + 1  // ceil, without overflowing for huge batches
        observer?.epochStarted(epoch, of: configuration.epochs, batches: batches)
        try backend.fill(lossTotal, with: 0)
        try backend.fill(correctTotal, with: 0)
        var batch = 0, seen = 0
        try forEachBatch(of: data, order: order, batchSize: configuration.batchSize) { x, y in
            try step(x, y)
            batch += 1
            seen += x.shape[0]
            let examples = seen
            try observer?.batchEnded(batch, of: batches) {
                let totals = try readTotals()
                guard totals.loss.isFinite else { throw LearningError.nonFiniteLoss(epoch: epoch, batch: batch) }
                return RunningMetrics(examples: examples, loss: totals.loss / Double(examples),
                                      accuracy: totals.correct / Double(examples))
            }
        }
        let totals = try readTotals()
        let loss = totals.loss / Double(data.count) + (try model.regularizationLoss())
        guard loss.isFinite else { throw LearningError.nonFiniteLoss(epoch: epoch, batch: nil) }
        let dataLoss = totals.loss / Double(data.count), accuracy = totals.correct / Double(data.count)
        if configuration.loss == .categoricalCrossEntropy && Self.isPinnedAtClipBound(loss: dataLoss, accuracy: accuracy) {
            throw LearningError.pinnedLoss(epoch: epoch, step: optimizer.stepCount, loss: dataLoss, accuracy: accuracy)
        }
        return EpochRecord(epoch: epoch, loss: loss, accuracy: totals.correct / Double(data.count),
                           seconds: Date().timeIntervalSince(start))
    }

    /// Whether an epoch's mean cross-entropy (regularisation left out) says the network has
    /// diverged into certainty: its wrong images cost, on average, at least 99% of the clip
    /// bound `-ln(1e-7)` each (16.1 nats; the right ones cost about 0), and the mean is at least
    /// a quarter of the bound. That is what a far too large learning rate leaves, e.g. `--lr 1e6`
    /// on ten digits: 14.5 nats at 10% accuracy, where the loss stays finite and nothing else
    /// stops the run. Healthy training never comes near: it starts at ln(classes) (2.3 for ten)
    /// and falls. The floor keeps a well-trained model with a few confident mistakes (mean loss
    /// a few hundredths) from ever matching.
    public static func isPinnedAtClipBound(loss: Double, accuracy: Double) -> Bool {
        let bound = -log(Double(Loss.epsilon))
        return accuracy < 1 && loss >= 0.99 * (1 - accuracy) * bound && loss >= bound / 4
    }

    /// One optimisation step on a batch already on the backend.
    private func step(_ x: Tensor, _ y: Tensor) throws {
        model.reseedStochasticLayers(from: &generator)
        let output = try model.forward(x, training: true)
        try accumulate(output: output, targets: y)
        let gradient = try scratch.tensor("lossGradient", output.shape)
        let fromLogits = model.endsInSoftmax
        try backend.lossGradient(configuration.loss, predictions: output, targets: y,
                                 withRespectTo: fromLogits ? .logits : .predictions, into: gradient)
        try model.backward(lossGradient: gradient, fromLogits: fromLogits)
        try optimizer.step()
    }

    /// Adds the batch's summed loss and correct count to the running totals, on the backend.
    private func accumulate(output: Tensor, targets: Tensor) throws {
        let rows = output.shape[0]
        let perSample = try scratch.tensor("perSampleLoss", [rows, 1])
        let matches = try scratch.tensor("matches", [rows, 1])
        try backend.loss(configuration.loss, predictions: output, targets: targets, perSampleLoss: perSample)
        try backend.columnSums(perSample, into: lossTotal, beta: 1)
        try backend.argmaxMatches(predictions: output, targets: targets, into: matches)
        try backend.columnSums(matches, into: correctTotal, beta: 1)
    }

    private func readTotals() throws -> (loss: Double, correct: Double) {
        (Double(try backend.read(lossTotal)[0]), Double(try backend.read(correctTotal)[0]))
    }

    /// Gathers each batch's rows on the host (in `order`), uploads them once, and calls `body`.
    private func forEachBatch(of data: TrainingData, order: [Int], batchSize: Int,
                              _ body: (Tensor, Tensor) throws -> Void) throws {
        let features = data.featureCount, classes = data.classes
        var start = 0
        var featureStage: [Float] = [], targetStage: [Float] = []
        while start < order.count {
            let rows = min(batchSize, order.count - start)
            featureStage.removeAll(keepingCapacity: true)
            targetStage.removeAll(keepingCapacity: true)
            data.features.withUnsafeBufferPointer { source in
                for index in order[start..<start + rows] {
                    featureStage.append(contentsOf: source[index * features..<(index + 1) * features])
                }
            }
            data.targets.withUnsafeBufferPointer { source in
                for index in order[start..<start + rows] {
                    targetStage.append(contentsOf: source[index * classes..<(index + 1) * classes])
                }
            }
            let x = try scratch.tensor("batchFeatures", [rows] + data.featureShape)
            let y = try scratch.tensor("batchTargets", [rows, classes])
            try backend.write(featureStage, to: x)
            try backend.write(targetStage, to: y)
            try body(x, y)
            start += rows
        }
    }

    private func check(_ data: TrainingData) throws {
        guard data.count > 0 else { throw LearningError.dataMismatch("no examples") }
        guard data.featureCount == model.inputCount else {
            throw LearningError.dataMismatch("examples have \(data.featureCount) features, the model takes \(model.inputCount)")
        }
        guard data.classes == model.outputCount else {
            throw LearningError.dataMismatch("examples have \(data.classes) classes, the model outputs \(model.outputCount)")
        }
    }

    /// Keras `EarlyStopping(monitor: "val_loss", patience: p)`: stop once the best validation
    /// loss is `p` epochs old.
    private func shouldStopEarly() -> Bool {
        guard let patience = configuration.earlyStoppingPatience else { return false }
        let losses = history.compactMap(\.validationLoss)
        guard let best = losses.indices.min(by: { losses[$0] < losses[$1] }) else { return false }
        return losses.count - 1 - best >= patience
    }
}
