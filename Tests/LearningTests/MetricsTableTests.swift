import Engine
import Learning
import Testing

@Suite("Metrics table and test results")
struct MetricsTableTests {
    /// The scikit-learn example of `ClassificationMetricsTests`, laid out.
    @Test func linesAreAligned() {
        let metrics = ClassificationMetrics(predicted: [0, 1, 0, 1, 2, 2], actual: [0, 0, 0, 1, 1, 2], classes: 3)
        let table = MetricsTable(metrics: metrics, labels: ["1", "3", "7"], classHeading: "digit")
        #expect(table.lines == [
            "",
            "digit  precision  recall  f1      support",
            "1      1.0000     0.6667  0.8000  3",
            "3      0.5000     0.5000  0.5000  2",
            "7      0.5000     1.0000  0.6667  1",
            "",
            "confusion (rows: actual digit, columns: predicted)",
            "         1    3    7",
            "1        2    1    0",
            "3        0    1    1",
            "7        0    0    1",
        ])
        #expect(table.description == table.lines.joined(separator: "\n"))
    }

    @Test func longLabelsWidenTheColumns() {
        let metrics = ClassificationMetrics(predicted: [0, 1], actual: [0, 1], classes: 2)
        let lines = MetricsTable(metrics: metrics, labels: ["sandal", "sneaker"]).lines
        #expect(lines[1] == "class    precision  recall  f1      support")
        #expect(lines[2].hasPrefix("sandal   1.0000"))
        #expect(lines[6] == "         sandal sneaker")
    }

    @Test func numbersAreWrittenOneWay() {
        #expect(MetricText.fixed(0.12345, 4) == "0.1235")
        #expect(MetricText.percent(0.9725) == "97.25%")
    }

    @Test func testResultAgreesWithTheTrainer() throws {
        let data = blobs(count: 90, features: 4, classes: 3, seed: 3)
        var generator = SeededGenerator(seed: 1)
        let model = try Sequential(spec: .multilayerPerceptron(inputs: 4, hidden: [6], classes: 3), backend: CPUBackend(),
                                   generator: &generator)
        let trainer = try Trainer(model: model, configuration: TrainingConfiguration(epochs: 2, batchSize: 16), generator: generator)
        try trainer.fit(data)
        let result = try TestResult(trainer: trainer, data: data, labels: [2, 5, 8])
        let (loss, accuracy) = try trainer.evaluate(data)
        #expect(result.count == 90 && result.labels == [2, 5, 8])
        #expect(result.loss == loss && abs(result.metrics.accuracy - accuracy) < 1e-12)
        #expect(result.metrics.support == [30, 30, 30])
        #expect(throws: LearningError.self) { try TestResult(trainer: trainer, data: data, labels: [2, 5]) }
    }
}
