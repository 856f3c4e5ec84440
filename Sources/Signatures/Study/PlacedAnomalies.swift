/// Unseen test images placed into the clusters of the analysis without anomalies (standardized with
/// its mean and deviation, each to its nearest centroid in every layer) and scored by how rare
/// their path is (`PathRarity`): can the path tell an unseen class from the kept ones?
public struct PlacedAnomalies: Codable, Equatable, Sendable {
    /// Test images of the kept classes placed: the negatives.
    public var keptCount: Int
    /// Their mean path-rarity score, `-ln((c + 1) / (n + 1))`.
    public var keptMeanScore: Double
    /// One entry per anomaly label.
    public var anomalies: [PlacedAnomaly]

    public init(keptCount: Int, keptMeanScore: Double, anomalies: [PlacedAnomaly]) {
        self.keptCount = keptCount
        self.keptMeanScore = keptMeanScore
        self.anomalies = anomalies
    }
}

/// The test images of one anomaly label, placed.
public struct PlacedAnomaly: Codable, Equatable, Sendable {
    public var label: Int
    /// Its test images placed.
    public var count: Int
    /// Their mean path-rarity score, `-ln((c + 1) / (n + 1))`.
    public var meanScore: Double
    /// The ROC AUC of the rarity score with these images positive and the kept classes' test
    /// images negative (ties count one half): 0.5 is chance, 1 a perfect detector.
    public var auc: Double
    /// The share of these images whose path no analysis image took.
    public var unseenPathShare: Double

    public init(label: Int, count: Int, meanScore: Double, auc: Double, unseenPathShare: Double) {
        self.label = label
        self.count = count
        self.meanScore = meanScore
        self.auc = auc
        self.unseenPathShare = unseenPathShare
    }
}
