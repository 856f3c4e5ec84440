/// How to run K-means: scikit-learn's `KMeans(algorithm="lloyd")` parameters, same defaults.
public struct KMeansConfiguration: Codable, Equatable, Sendable {
    /// The number of clusters, k (`n_clusters`).
    public var clusters: Int
    /// Independent runs from fresh k-means++ seeds; the one of lowest inertia is kept (`n_init`).
    public var restarts: Int
    /// Lloyd iterations per run at most (`max_iter`).
    public var maximumIterations: Int
    /// Convergence: a run stops when the summed squared centroid shift is at most `tolerance`
    /// times the data's mean per-column variance (`tol`), or when no label changes.
    public var tolerance: Double
    /// Seeds the generator that picks the k-means++ seeds of every run.
    public var seed: UInt64

    /// scikit-learn's defaults but for `n_clusters`, which has none: 10 restarts, 300 iterations,
    /// tolerance 1e-4, seed 0.
    public init(clusters: Int, restarts: Int = 10, maximumIterations: Int = 300, tolerance: Double = 1e-4, seed: UInt64 = 0) {
        self.clusters = clusters
        self.restarts = restarts
        self.maximumIterations = maximumIterations
        self.tolerance = tolerance
        self.seed = seed
    }

    /// - Throws: `SignaturesError.invalidArgument` naming the first setting out of its domain.
    func validate() throws {
        guard clusters >= 1 else { throw SignaturesError.invalidArgument("K-means needs k >= 1, got \(clusters)") }
        guard restarts >= 1 else { throw SignaturesError.invalidArgument("K-means needs at least one restart (n_init), got \(restarts)") }
        guard maximumIterations >= 1 else {
            throw SignaturesError.invalidArgument("K-means needs at least one iteration, got \(maximumIterations)")
        }
        guard tolerance >= 0, tolerance.isFinite else {
            throw SignaturesError.invalidArgument("K-means tolerance must be finite and >= 0, got \(tolerance)")
        }
    }
}

/// One clustering of a point matrix.
public struct KMeansResult: Codable, Equatable, Sendable {
    /// The number of clusters.
    public var clusters: Int
    /// Each point's cluster, `0..<clusters`: its nearest final centroid.
    public var assignments: [Int32]
    /// The final centroids, row-major `clusters x dimensions`.
    public var centroids: [Float]
    /// The sum of squared distances of the points to their centroids (float64 sum).
    public var inertia: Double
    /// Lloyd iterations of the kept run, counting the one that found no label change.
    public var iterations: Int
    /// Points per cluster.
    public var sizes: [Int]
    /// Which restart (from 0) was kept.
    public var restart: Int
    /// Lloyd iterations of all restarts together: the work the clustering took.
    public var totalIterations: Int
    /// The inertia every restart ended with, in order (the kept one is their minimum).
    public var restartInertias: [Double]
    /// The rows of the points the kept restart's k-means++ chose as its initial centroids
    /// (empty when the initial centroids were given).
    public var seeds: [Int]
}
