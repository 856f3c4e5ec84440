import Datasets
import Learning

extension Examples {
    /// The examples as the trainer takes them: features (each example of `shape`: `[784]` for
    /// the dense network, `[28, 28, 1]` for a CNN, the same values) and one-hot targets over
    /// their own classes.
    ///
    /// - Throws: `LearningError.dataMismatch` if `shape` does not hold one example's values.
    public func trainingData(shape: [Int]) throws -> TrainingData {
        try checkShape(shape)
        return try TrainingData(features: features, targets: oneHotTargets(), featureShape: shape, classes: classes.count)
    }

    /// The examples with one-hot targets over `classes`, the digits a model was trained on,
    /// which may be more than these examples have (a model of 1 and 7 tested on the 7s only:
    /// its targets still have two columns).
    ///
    /// - Throws: `SignaturesError.invalidArgument` if an example's digit is not in `classes`;
    ///   `LearningError.dataMismatch` if `shape` does not hold one example's values.
    public func trainingData(shape: [Int], classes: [Int]) throws -> TrainingData {
        try checkShape(shape)
        let column = Dictionary(classes.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var targets = [Float](repeating: 0, count: count * classes.count)
        for (row, label) in originalLabels.enumerated() {
            guard let position = column[label] else {
                throw SignaturesError.invalidArgument(
                    "digit \(label) is not one of the classes \(classes.map(String.init).joined(separator: ", "))")
            }
            targets[row * classes.count + position] = 1
        }
        return try TrainingData(features: features, targets: targets, featureShape: shape, classes: classes.count)
    }

    /// Refuses a shape whose sides do not multiply to `featureCount` (without overflowing).
    private func checkShape(_ shape: [Int]) throws {
        var product = 1
        for side in shape {
            let (next, overflow) = product.multipliedReportingOverflow(by: side)
            guard side > 0, !overflow else { product = -1; break }
            product = next
        }
        guard product == featureCount else {
            throw LearningError.dataMismatch("examples of \(featureCount) values do not have the shape \(shape)")
        }
    }
}
