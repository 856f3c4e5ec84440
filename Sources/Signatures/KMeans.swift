import Engine

/// K-means clustering as scikit-learn's `KMeans(algorithm="lloyd")` computes it, on a backend.
///
/// Each run seeds with greedy k-means++, then iterates Lloyd's two steps on the backend (every
/// point to its nearest centroid; every centroid to the mean of its points) until no label
/// changes or the summed squared centroid shift is at most `tolerance` times the mean column
/// variance. A cluster left empty is given the point farthest from its centroid, as scikit-learn
/// does. Of `restarts` runs the one of lowest inertia is kept. One seed gives one clustering,
/// bit for bit, on a backend.
public struct KMeans {
    public let configuration: KMeansConfiguration

    public init(_ configuration: KMeansConfiguration) {
        self.configuration = configuration
    }

    /// Clusters the points: `restarts` runs from k-means++ seeds, the best kept.
    /// - Throws: `SignaturesError.invalidArgument` for a bad configuration,
    ///   `.insufficientData` when the points have fewer distinct values than k.
    /// - Complexity: per Lloyd iteration O(n k d) on the backend and O(n + k d) on the host.
    public func fit(_ matrix: PointMatrix) throws -> KMeansResult {
        try configuration.validate()
        let k = configuration.clusters
        let distinct = matrix.distinctRowCount(upTo: k)
        guard distinct >= k else {
            throw SignaturesError.insufficientData(
                "K-means with k = \(k) needs at least \(k) distinct points; the \(matrix.rows) points have \(distinct)")
        }
        var generator = SeededGenerator(seed: configuration.seed)
        let run = try LloydRun(matrix: matrix, clusters: k)
        var best: KMeansResult?
        for restart in 0..<configuration.restarts {
            let seeds = try KMeansPlusPlus.seeds(of: matrix, k: k, generator: &generator)
            var result = try run.iterate(from: seeds.flatMap { matrix.row($0) }, configuration: configuration)
            result.restart = restart
            if best == nil || result.inertia < best!.inertia { best = result }
        }
        return best!
    }

    /// One run of Lloyd iterations from the given initial centroids (row-major `k x d`), as
    /// scikit-learn's `KMeans(init=centroids, n_init=1)`.
    public func fit(_ matrix: PointMatrix, initialCentroids: [Float]) throws -> KMeansResult {
        try configuration.validate()
        guard initialCentroids.count == configuration.clusters * matrix.columns else {
            throw SignaturesError.sizeMismatch(
                "\(initialCentroids.count) values cannot be \(configuration.clusters) centroids of \(matrix.columns) coordinates")
        }
        guard matrix.rows >= configuration.clusters else {
            throw SignaturesError.insufficientData("K-means with k = \(configuration.clusters) needs at least \(configuration.clusters) points, got \(matrix.rows)")
        }
        return try LloydRun(matrix: matrix, clusters: configuration.clusters).iterate(from: initialCentroids, configuration: configuration)
    }
}

/// The backend tensors of Lloyd iterations over one point matrix, reused by every restart.
private final class LloydRun {
    let matrix: PointMatrix
    let k: Int
    let assignments: Tensor, distances: Tensor, centroids: Tensor, sums: Tensor, counts: Tensor

    init(matrix: PointMatrix, clusters k: Int) throws {
        self.matrix = matrix
        self.k = k
        let backend = matrix.backend
        assignments = try backend.zeros([matrix.rows], elementType: .int32)
        distances = try backend.zeros([matrix.rows])
        centroids = try backend.zeros([k, matrix.columns])
        sums = try backend.zeros([k, matrix.columns])
        counts = try backend.zeros([k])
    }

    func iterate(from initial: [Float], configuration: KMeansConfiguration) throws -> KMeansResult {
        let backend = matrix.backend, d = matrix.columns
        let tolerance = configuration.tolerance * matrix.meanColumnVariance
        var current = initial
        var previousLabels: [Int32]?
        var labels: [Int32] = []
        var converged = false, iterations = 0
        try backend.write(current, to: centroids)
        for iteration in 1...configuration.maximumIterations {
            iterations = iteration
            try assign()
            try backend.clusterSums(points: matrix.points, assignments: assignments, into: sums, counts: counts)
            labels = try backend.readIntegers(assignments)
            var clusterSums = try backend.read(sums), clusterCounts = try backend.read(counts)
            if clusterCounts.contains(0) {
                try relocateEmptyClusters(sums: &clusterSums, counts: &clusterCounts, labels: labels)
            }
            var updated = [Float](repeating: 0, count: k * d)
            var shift = 0.0
            for c in 0..<k {
                // An empty cluster (only when k exceeds the points) keeps its centroid.
                for j in 0..<d {
                    let value = clusterCounts[c] > 0 ? clusterSums[c * d + j] / clusterCounts[c] : current[c * d + j]
                    updated[c * d + j] = value
                    let move = Double(value) - Double(current[c * d + j])
                    shift += move * move
                }
            }
            current = updated
            try backend.write(current, to: centroids)
            if labels == previousLabels {
                converged = true
                break
            }
            if shift <= tolerance { break }
            previousLabels = labels
        }
        if !converged {
            // Labels for the final centroids, as scikit-learn's closing E-step.
            try assign()
            labels = try backend.readIntegers(assignments)
        }
        // Converged: the last update reproduced the centroids the labels came from, so the
        // distances of that assignment are the final ones.
        let inertia = try backend.read(distances).reduce(0.0) { $0 + Double($1) }
        var sizes = [Int](repeating: 0, count: k)
        for label in labels { sizes[Int(label)] += 1 }
        return KMeansResult(clusters: k, assignments: labels, centroids: current, inertia: inertia,
                            iterations: iterations, sizes: sizes, restart: 0)
    }

    private func assign() throws {
        try matrix.backend.nearestCentroids(points: matrix.points, pointNorms: matrix.squaredNorms, centroids: centroids,
                                            assignments: assignments, distances: distances)
    }

    /// scikit-learn's `_relocate_empty_clusters_dense`: each empty cluster, in index order, takes
    /// the next point farthest from its assigned centroid, moved out of its old cluster's sum.
    private func relocateEmptyClusters(sums: inout [Float], counts: inout [Float], labels: [Int32]) throws {
        let empty = (0..<k).filter { counts[$0] == 0 }
        let distances = try matrix.backend.read(self.distances)
        let farthest = distances.indices.sorted { distances[$0] > distances[$1] || (distances[$0] == distances[$1] && $0 < $1) }
        let d = matrix.columns
        for (cluster, point) in zip(empty, farthest) {
            let old = Int(labels[point])
            let values = matrix.row(point)
            for (j, value) in values.enumerated() {
                sums[old * d + j] -= value
                sums[cluster * d + j] = value
            }
            counts[old] -= 1
            counts[cluster] = 1
        }
    }
}
