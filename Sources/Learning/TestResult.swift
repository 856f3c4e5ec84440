/// A trained model's loss and classification metrics on a test set.
public struct TestResult: Codable, Equatable, Sendable {
    /// How many test examples.
    public var count: Int
    /// What each class stands for, in class order (class `c` is `labels[c]`): for MNIST, the digits.
    public var labels: [Int]
    /// The mean loss, as the trainer computes it.
    public var loss: Double
    /// Accuracy, per-class precision, recall and F1, and the confusion matrix.
    public var metrics: ClassificationMetrics

    /// Evaluates `trainer`'s model on `data`.
    ///
    /// - Parameter labels: one per class of `data` (`data.classes` of them).
    /// - Throws: `LearningError.dataMismatch` if `labels` and the classes disagree or the data
    ///   does not fit the model; whatever the backend throws.
    public init(trainer: Trainer, data: TrainingData, labels: [Int]) throws {
        guard labels.count == data.classes else {
            throw LearningError.dataMismatch("\(labels.count) class labels for \(data.classes) classes")
        }
        count = data.count
        self.labels = labels
        loss = try trainer.evaluate(data).loss
        let predicted = ClassificationMetrics.argmax(try trainer.model.predict(data.features), classes: data.classes)
        metrics = ClassificationMetrics(predicted: predicted, actual: data.classIndices, classes: data.classes)
    }

    public init(count: Int, labels: [Int], loss: Double, metrics: ClassificationMetrics) {
        self.count = count
        self.labels = labels
        self.loss = loss
        self.metrics = metrics
    }
}
