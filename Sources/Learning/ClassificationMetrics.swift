/// Accuracy, per-class precision, recall and F1, and the confusion matrix of a classifier.
public struct ClassificationMetrics: Codable, Equatable, Sendable {
    /// `confusion[actual][predicted]`: how many examples of class `actual` were predicted `predicted`.
    public var confusion: [[Int]]
    public var accuracy: Double
    public var precision: [Double]
    public var recall: [Double]
    public var f1: [Double]
    /// Examples per actual class.
    public var support: [Int]

    /// - Parameters:
    ///   - predicted: the predicted class index of each example.
    ///   - actual: the true class index of each example.
    ///   - classes: the number of classes.
    /// Precision (recall) of a class never predicted (never present) is 0, as scikit-learn's
    /// `zero_division=0`.
    public init(predicted: [Int], actual: [Int], classes: Int) {
        precondition(predicted.count == actual.count, "one prediction per example")
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (p, a) in zip(predicted, actual) { confusion[a][p] += 1 }
        let correct = (0..<classes).reduce(0) { $0 + confusion[$1][$1] }
        self.confusion = confusion
        accuracy = actual.isEmpty ? 0 : Double(correct) / Double(actual.count)
        support = confusion.map { $0.reduce(0, +) }
        let predictedCounts = (0..<classes).map { c in confusion.reduce(0) { $0 + $1[c] } }
        precision = (0..<classes).map { predictedCounts[$0] == 0 ? 0 : Double(confusion[$0][$0]) / Double(predictedCounts[$0]) }
        recall = (0..<classes).map { [support] c in support[c] == 0 ? 0 : Double(confusion[c][c]) / Double(support[c]) }
        f1 = zip(precision, recall).map { p, r in p + r == 0 ? 0 : 2 * p * r / (p + r) }
    }

    /// The class of each row of `probabilities` (`rows x classes`): its largest value, the first on ties.
    public static func argmax(_ probabilities: [Float], classes: Int) -> [Int] {
        stride(from: 0, to: probabilities.count, by: classes).map { start in
            var best = 0
            for c in 1..<classes where probabilities[start + c] > probabilities[start + best] { best = c }
            return best
        }
    }
}
