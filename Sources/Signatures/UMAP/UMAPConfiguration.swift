/// How UMAP maps points to 2-D: umap-learn's parameters, same defaults.
public struct UMAPConfiguration: Codable, Equatable, Sendable {
    /// Neighbours per point, the point itself included (`n_neighbors`).
    public var neighbors: Int
    /// The smallest distance between mapped points (`min_dist`).
    public var minDist: Double
    /// The scale of the mapped distances (`spread`).
    public var spread: Double
    /// Layout epochs; nil: umap-learn's 500 up to 10,000 points, 200 above.
    public var epochs: Int?
    /// Negative samples per positive sample (`negative_sample_rate`).
    public var negativeSampleRate: Int
    /// Seeds the initialization's noise and the negative samples.
    public var seed: UInt64

    public init(neighbors: Int = 15, minDist: Double = 0.1, spread: Double = 1, epochs: Int? = nil,
                negativeSampleRate: Int = 5, seed: UInt64 = 0) {
        self.neighbors = neighbors
        self.minDist = minDist
        self.spread = spread
        self.epochs = epochs
        self.negativeSampleRate = negativeSampleRate
        self.seed = seed
    }

    /// The epochs for `points` points.
    public func epochs(for points: Int) -> Int { epochs ?? (points <= 10_000 ? 500 : 200) }

    /// - Throws: `SignaturesError.invalidArgument` naming the first setting out of its domain.
    func validate() throws {
        guard neighbors >= 2 else { throw SignaturesError.invalidArgument("UMAP needs at least 2 neighbours, got \(neighbors)") }
        guard minDist >= 0, minDist.isFinite else { throw SignaturesError.invalidArgument("UMAP's min_dist must be >= 0, got \(minDist)") }
        guard spread > 0, spread.isFinite, minDist <= spread else {
            throw SignaturesError.invalidArgument("UMAP's spread must be positive and at least min_dist, got \(spread)")
        }
        if let epochs, epochs < 1 { throw SignaturesError.invalidArgument("UMAP needs at least one epoch, got \(epochs)") }
        guard negativeSampleRate >= 0 else { throw SignaturesError.invalidArgument("the negative sample rate must be >= 0") }
    }
}

/// A UMAP map of some points.
public struct UMAPEmbedding: Codable, Equatable, Sendable {
    /// `points x 2`, row-major.
    public var coordinates: [Float]
    /// `spectral`, or `random` when the neighbour graph is disconnected.
    public var initialization: String
    public var epochs: Int
    /// The fitted curve `1 / (1 + a d^2b)`.
    public var a: Double
    public var b: Double
    /// Seconds per phase: `neighbours`, `fuzzy set`, `initialization`, `layout`.
    public var phases: [PhaseTime]
}
