import Foundation

/// How well a clustering agrees with the labels, scored as scikit-learn scores it: the adjusted
/// Rand index and the normalized mutual information.
public struct ClusterAgreement: Codable, Equatable, Sendable {
    /// scikit-learn's `adjusted_rand_score`: the share of point pairs on which the two partitions
    /// agree, corrected for chance. 1 for identical partitions (up to renaming), about 0 for
    /// independent ones, and possibly negative.
    public let adjustedRandIndex: Double
    /// scikit-learn's `normalized_mutual_info_score` with the arithmetic mean: the mutual
    /// information of labels and clusters over the mean of their two entropies, in 0...1.
    public let normalizedMutualInformation: Double

    /// Scores the agreement recorded in a contingency table.
    ///
    /// - Complexity: O(m) for m distinct labels, clusters and non-zero cells.
    public init(_ table: ContingencyTable) {
        adjustedRandIndex = Self.adjustedRandIndex(table)
        normalizedMutualInformation = Self.normalizedMutualInformation(table)
    }

    /// Scores the agreement of `clusters` with `labels` (see `ContingencyTable.init(labels:clusters:)`
    /// for the errors).
    ///
    /// - Complexity: O(n + m log m) for n points and m distinct labels, clusters and non-zero cells.
    public init<Label: BinaryInteger, Cluster: BinaryInteger>(labels: [Label], clusters: [Cluster]) throws {
        self.init(try ContingencyTable(labels: labels, clusters: clusters))
    }

    /// The pair-counting form of scikit-learn (`pair_confusion_matrix`): counts of ordered pairs
    /// together in both partitions, in one only, or in neither, exact in `Int`; only the final
    /// ratio, whose products can reach n^4, is taken in `Double`.
    static func adjustedRandIndex(_ table: ContingencyTable) -> Double {
        let n = table.sampleCount
        let cellSquares = table.cells.reduce(0) { $0 + $1.count * $1.count }
        let labelSquares = table.labelTotals.reduce(0) { $0 + $1 * $1 }
        let clusterSquares = table.clusterTotals.reduce(0) { $0 + $1 * $1 }
        let bothTogether = cellSquares - n
        let clusterOnly = clusterSquares - cellSquares
        let labelOnly = labelSquares - cellSquares
        let neither = n * n - clusterSquares - labelSquares + cellSquares
        // No pair is split by one partition and joined by the other: the partitions are the same
        // (also when both are one cluster, or all singletons, where the chance correction is 0 / 0).
        guard clusterOnly != 0 || labelOnly != 0 else { return 1 }
        let (tp, tn, fp, fn) = (Double(bothTogether), Double(neither), Double(clusterOnly), Double(labelOnly))
        return 2 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))
    }

    /// scikit-learn's special cases first: both labelings a single class is a perfect match (1),
    /// and otherwise zero mutual information scores 0 (which also covers one side being a single
    /// class, whose entropy would make the ratio 0 / something or 0 / 0).
    static func normalizedMutualInformation(_ table: ContingencyTable) -> Double {
        if table.labels.count == 1 && table.clusters.count == 1 { return 1 }
        let information = mutualInformation(table)
        guard information != 0 else { return 0 }
        let meanEntropy = (entropy(table.labelTotals) + entropy(table.clusterTotals)) / 2
        return information / meanEntropy
    }

    /// Mutual information in nats, term by term as scikit-learn's `mutual_info_score` computes it,
    /// including its rounding of terms below machine epsilon to 0 and its clamp at 0.
    static func mutualInformation(_ table: ContingencyTable) -> Double {
        if table.labels.count == 1 || table.clusters.count == 1 { return 0 }
        let total = Double(table.sampleCount)
        let logTotal = log(total)
        var sum = 0.0
        for cell in table.cells {
            let count = Double(cell.count)
            let share = count / total
            let outer = Double(table.labelTotals[cell.row] * table.clusterTotals[cell.column])
            let term = share * (log(count) - logTotal) + share * (2 * logTotal - log(outer))
            if abs(term) >= Double.ulpOfOne { sum += term }
        }
        return max(0, sum)
    }

    /// Entropy in nats of the distribution given by `counts` (zeros ignored).
    static func entropy(_ counts: [Int]) -> Double {
        let present = counts.filter { $0 > 0 }
        guard present.count > 1 else { return 0 }
        let total = Double(present.reduce(0, +))
        let logTotal = log(total)
        return -present.reduce(0.0) { sum, count in
            let c = Double(count)
            return sum + c / total * (log(c) - logTotal)
        }
    }
}
