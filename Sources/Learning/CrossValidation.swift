import Engine

/// K-fold cross-validation: K models, each trained on K-1 folds and scored on the one left out.
///
/// The folds come from one seeded shuffle of the examples (by `configuration.seed`); fold k's
/// model is seeded `seed + k`. Early stopping is off: no fold has a validation set of its own.
public struct CrossValidation: Sendable {
    /// K, at least 2.
    public var folds: Int
    /// The model every fold trains afresh.
    public var spec: ModelSpec
    /// How every fold trains.
    public var configuration: TrainingConfiguration

    /// - Throws: `LearningError.invalidConfiguration` for fewer than 2 folds.
    public init(folds: Int, spec: ModelSpec, configuration: TrainingConfiguration) throws {
        guard folds >= 2 else {
            throw LearningError.invalidConfiguration("cross-validation needs at least 2 folds, got \(folds)")
        }
        self.folds = folds
        self.spec = spec
        self.configuration = configuration
    }

    /// The fold scores and their mean and spread.
    public struct Report: Codable, Equatable, Sendable {
        public var folds: Int
        /// Each fold's accuracy on its held-out part, in fold order.
        public var accuracies: [Double]
        /// Each fold's loss on its held-out part, in fold order.
        public var losses: [Double]
        public var meanAccuracy: Double
        /// The population standard deviation of `accuracies`.
        public var accuracyStandardDeviation: Double
        public var meanLoss: Double

        /// One line per fold, then the mean ± standard deviation.
        public var text: String {
            var lines = accuracies.indices.map {
                "Fold \($0 + 1)/\(folds)  loss \(MetricText.fixed(losses[$0], 4))  accuracy \(MetricText.percent(accuracies[$0]))"
            }
            lines.append("\(folds)-fold accuracy \(MetricText.percent(meanAccuracy)) ± \(MetricText.percent(accuracyStandardDeviation)) "
                + "(mean ± standard deviation), loss \(MetricText.fixed(meanLoss, 4))")
            return lines.joined(separator: "\n")
        }
    }

    /// Trains and scores every fold on `backend`.
    ///
    /// - Parameter foldEnded: called after each fold with its number (from 1) and accuracy, for
    ///   progress.
    /// - Throws: `LearningError.dataMismatch` for fewer examples than folds; whatever training throws.
    public func run(on data: TrainingData, backend: any Backend,
                    foldEnded: (_ fold: Int, _ accuracy: Double) -> Void = { _, _ in }) throws -> Report {
        guard data.count >= folds else {
            throw LearningError.dataMismatch("\(folds)-fold cross-validation needs at least \(folds) examples, got \(data.count)")
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
            foldEnded(fold + 1, accuracy)
        }
        let mean = accuracies.reduce(0, +) / Double(folds)
        let variance = accuracies.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(folds)
        return Report(folds: folds, accuracies: accuracies, losses: losses, meanAccuracy: mean,
                      accuracyStandardDeviation: variance.squareRoot(), meanLoss: losses.reduce(0, +) / Double(folds))
    }
}
