/// What `Study.run` returns: the result, and the first run's raw signatures for export.
public struct StudyOutcome {
    /// Everything the study found: what `result.json` holds.
    public var result: StudyResult
    /// The first run's analysis set (without anomalies), one entry per studied layer.
    public var signatures: [SignatureMatrix]
}

/// One layer's raw signatures of the analysis set, with the standardization the study applied.
public struct SignatureMatrix: Sendable {
    public var layer: String
    /// Images: the first run's analysis set without anomalies, in `result.runs[0].analysis.images` order.
    public var rows: Int
    /// Values per signature.
    public var width: Int
    /// `rows x width`, row-major, as the model computed them (not standardized).
    public var values: [Float]
    /// Per unit, the analysis set's mean and population standard deviation (1 for a constant
    /// unit, as scikit-learn's `StandardScaler`); nil when the study did not standardize.
    public var mean: [Double]?
    public var scale: [Double]?
}
