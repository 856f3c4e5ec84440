import Engine
import Learning
import Signatures

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
        self.test = try TestResult(trainer: trainer, data: test, labels: choice.subset.classes)
        self.checkpoint = checkpoint
    }

    var text: String {
        var lines = ["", test.summary(digits: test.labels)]
        lines += MetricsTable(metrics: test.metrics, labels: test.labels.map(String.init), classHeading: "digit").lines
        if let checkpoint { lines.append("Checkpoint: \(checkpoint)") }
        return lines.joined(separator: "\n")
    }
}

extension TestResult {
    /// `Test: 2163 images of digits 1, 7  loss 0.0421  accuracy 98.84%`: the line above the
    /// metrics table of `train` and `evaluate`.
    func summary(digits: [Int]) -> String {
        "Test: \(count) images of digits \(digits.map(String.init).joined(separator: ", "))"
            + "  loss \(MetricText.fixed(loss, 4))  accuracy \(MetricText.percent(metrics.accuracy))"
    }
}
