/// Examples as the trainer takes them: features and one-hot targets, row-major on the host.
public struct TrainingData: Sendable {
    /// `count x featureShape.product` values.
    public let features: [Float]
    /// `count x classes` values.
    public let targets: [Float]
    /// The shape of one example, e.g. `[784]` or `[28, 28, 1]`.
    public let featureShape: [Int]
    public let classes: Int
    public let count: Int

    public var featureCount: Int { featureShape.reduce(1, *) }

    /// - Throws: `LearningError.dataMismatch` if the arrays do not hold `count` examples.
    public init(features: [Float], targets: [Float], featureShape: [Int], classes: Int) throws {
        let featureCount = featureShape.reduce(1, *)
        guard featureCount > 0, classes > 0, features.count % featureCount == 0 else {
            throw LearningError.dataMismatch("\(features.count) feature values do not split into examples of \(featureShape)")
        }
        let count = features.count / featureCount
        guard targets.count == count * classes else {
            throw LearningError.dataMismatch("\(count) examples need \(count * classes) target values, got \(targets.count)")
        }
        self.features = features
        self.targets = targets
        self.featureShape = featureShape
        self.classes = classes
        self.count = count
    }

    /// The examples at `indices`, in that order.
    public func subset(_ indices: some Collection<Int>) -> TrainingData {
        var features: [Float] = []
        var targets: [Float] = []
        features.reserveCapacity(indices.count * featureCount)
        targets.reserveCapacity(indices.count * classes)
        for index in indices {
            features += self.features[index * featureCount..<(index + 1) * featureCount]
            targets += self.targets[index * classes..<(index + 1) * classes]
        }
        // The shapes are those of self, so this cannot fail.
        return try! TrainingData(features: features, targets: targets, featureShape: featureShape, classes: classes)
    }

    /// Keras's `validation_split`: the first `floor(count * (1 - fraction))` examples train, the
    /// rest validate (Keras's `split_at`); both sides must keep at least one example.
    public func splitLast(_ fraction: Double) throws -> (training: TrainingData, validation: TrainingData) {
        let trainingCount = Int((Double(count) * (1 - fraction)).rounded(.down))
        guard trainingCount > 0, trainingCount < count else {
            throw LearningError.dataMismatch(
                "a validation split of \(fraction) on \(count) examples leaves \(trainingCount == 0 ? "no training" : "no validation") examples")
        }
        return (subset(0..<trainingCount), subset(trainingCount..<count))
    }

    /// The index of the largest target of each example: its class.
    public var classIndices: [Int] {
        (0..<count).map { row in
            let slice = targets[row * classes..<(row + 1) * classes]
            return slice.indices.max { slice[$0] < slice[$1] }! - row * classes
        }
    }
}
