import Engine
import Learning
import Testing

@Suite("Cross-validation")
struct CrossValidationTests {
    static let spec = ModelSpec.multilayerPerceptron(inputs: 4, hidden: [8], classes: 3)
    static let configuration = TrainingConfiguration(epochs: 10, batchSize: 8, optimizer: .adam(AdamHyperparameters(learningRate: 0.02)),
                                                     seed: 5, earlyStoppingPatience: 2)

    @Test func scoresEveryFoldReproducibly() throws {
        let data = blobs(count: 60, features: 4, classes: 3, seed: 9)
        let validation = try CrossValidation(folds: 3, spec: Self.spec, configuration: Self.configuration)
        var reported: [Int] = []
        let report = try validation.run(on: data, backend: CPUBackend()) { fold, _ in reported.append(fold) }
        #expect(reported == [1, 2, 3])
        #expect(report.folds == 3 && report.accuracies.count == 3 && report.losses.count == 3)
        #expect(abs(report.meanAccuracy - report.accuracies.reduce(0, +) / 3) < 1e-12)
        #expect(report.meanAccuracy > 0.8, "separable blobs: \(report.accuracies)")
        #expect(report.accuracyStandardDeviation >= 0)
        #expect(report.text.contains("3-fold accuracy"))
        // The CPU backend is bit-for-bit repeatable, and so are the folds.
        #expect(try validation.run(on: data, backend: CPUBackend()) == report)
    }

    @Test func refusesTooFewFoldsOrExamples() throws {
        #expect(throws: LearningError.self) { try CrossValidation(folds: 1, spec: Self.spec, configuration: Self.configuration) }
        let tiny = blobs(count: 3, features: 4, classes: 3, seed: 1)
        let validation = try CrossValidation(folds: 4, spec: Self.spec, configuration: Self.configuration)
        #expect(throws: LearningError.dataMismatch("4-fold cross-validation needs at least 4 examples, got 3")) {
            try validation.run(on: tiny, backend: CPUBackend())
        }
    }
}
