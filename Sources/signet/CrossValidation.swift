import Engine
import Learning

/// K-fold cross-validation: K models, each trained on K-1 folds and scored on the one left out.
/// The folds come from one seeded shuffle of the examples; fold k's model is seeded `seed + k`.
struct CrossValidation {
    let folds: Int
    let spec: ModelSpec
    let configuration: TrainingConfiguration

    struct Report: Encodable {
        var folds: Int
        var accuracies: [Double]
        var losses: [Double]
        var meanAccuracy: Double
        var accuracyStandardDeviation: Double
        var meanLoss: Double

        var text: String {
            var lines = accuracies.indices.map { "Fold \($0 + 1)/\(folds)  loss \(format(losses[$0], 4))  accuracy \(percent(accuracies[$0]))" }
            lines.append("\(folds)-fold accuracy \(percent(meanAccuracy)) ± \(percent(accuracyStandardDeviation)) (mean ± standard deviation), loss \(format(meanLoss, 4))")
            return lines.joined(separator: "\n")
        }
    }

    func run(on data: TrainingData, backend: any Backend) throws -> Report {
        guard data.count >= folds else {
            throw CLIFailure("\(folds)-fold cross-validation needs at least \(folds) images, got \(data.count)")
        }
        var order = Array(0..<data.count)
        var shuffler = SeededGenerator(seed: configuration.seed)
        shuffler.shuffle(&order)
        var accuracies: [Double] = [], losses: [Double] = []
        for fold in 0..<folds {
            let held = Set(stride(from: fold, to: order.count, by: folds).map { order[$0] })
            let training = data.subset((0..<data.count).filter { !held.contains($0) })
            let validation = data.subset(held.sorted())
            var foldConfiguration = configuration
            foldConfiguration.seed = configuration.seed &+ UInt64(fold)
            foldConfiguration.earlyStoppingPatience = nil
            var generator = SeededGenerator(seed: foldConfiguration.seed)
            let model = try Sequential(spec: spec, backend: backend, generator: &generator)
            let trainer = try Trainer(model: model, configuration: foldConfiguration, generator: generator)
            try trainer.fit(training)
            let (loss, accuracy) = try trainer.evaluate(validation)
            losses.append(loss)
            accuracies.append(accuracy)
            printError("Fold \(fold + 1)/\(folds): accuracy \(percent(accuracy))")
        }
        let mean = accuracies.reduce(0, +) / Double(folds)
        let variance = accuracies.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(folds)
        return Report(folds: folds, accuracies: accuracies, losses: losses, meanAccuracy: mean,
                      accuracyStandardDeviation: variance.squareRoot(), meanLoss: losses.reduce(0, +) / Double(folds))
    }
}
