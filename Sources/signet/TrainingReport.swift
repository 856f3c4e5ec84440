import Engine
import Learning

/// What `signet train` reports: the run, its history and its test metrics (JSON or text).
struct TrainingReport: Encodable {
    var backend: String
    var data: DataChoice
    var model: ModelSpec
    var training: TrainingConfiguration
    var history: [EpochRecord]
    var test: TestResult
    var checkpoint: String?

    init(trainer: Trainer, backend: any Backend, choice: DataChoice, test: TrainingData, checkpoint: String?) throws {
        self.backend = backend.description
        data = choice
        model = trainer.model.spec
        training = trainer.configuration
        history = trainer.history
        self.test = try TestResult(trainer: trainer, data: test, digits: choice.subset.classes)
        self.checkpoint = checkpoint
    }

    var text: String {
        var lines = ["", "Test: \(test.count) images of digits \(test.digits.map(String.init).joined(separator: ", "))"
            + "  loss \(format(test.loss, 4))  accuracy \(percent(test.metrics.accuracy))"]
        lines += MetricsTable(metrics: test.metrics, labels: test.digits.map(String.init)).lines
        if let checkpoint { lines.append("Checkpoint: \(checkpoint)") }
        return lines.joined(separator: "\n")
    }
}

/// A model's loss and metrics on a test set.
struct TestResult: Encodable {
    var count: Int
    var digits: [Int]
    var loss: Double
    var metrics: ClassificationMetrics

    init(trainer: Trainer, data: TrainingData, digits: [Int]) throws {
        count = data.count
        self.digits = digits
        loss = try trainer.evaluate(data).loss
        let predicted = ClassificationMetrics.argmax(try trainer.model.predict(data.features), classes: data.classes)
        metrics = ClassificationMetrics(predicted: predicted, actual: data.classIndices, classes: data.classes)
    }
}

/// Per-class precision, recall and F1, then the confusion matrix, as aligned text.
struct MetricsTable {
    let metrics: ClassificationMetrics
    let labels: [String]

    var lines: [String] {
        var lines = ["", "digit  precision  recall  f1      support"]
        for (index, label) in labels.enumerated() {
            lines.append(pad(label, 5) + "  " + pad(format(metrics.precision[index], 4), 9) + "  "
                + pad(format(metrics.recall[index], 4), 6) + "  " + pad(format(metrics.f1[index], 4), 6) + "  \(metrics.support[index])")
        }
        let width = max(5, (metrics.confusion.flatMap { $0 }.max() ?? 0).description.count + 1)
        lines += ["", "confusion (rows: actual digit, columns: predicted)", pad("", 5) + labels.map { pad($0, width, right: true) }.joined()]
        for (index, row) in metrics.confusion.enumerated() {
            lines.append(pad(labels[index], 5) + row.map { pad(String($0), width, right: true) }.joined())
        }
        return lines
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
