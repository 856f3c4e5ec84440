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
    /// The settings every `fit` uses.
    public let configuration: KMeansConfiguration

    /// K-means with `configuration`.
    public init(_ configuration: KMeansConfiguration) {
        self.configuration = configuration
    }

    /// Clusters the points: `restarts` runs from k-means++ seeds, the best kept.
    /// - Throws: `SignaturesError.invalidArgument` for a bad configuration,
    ///   `.insufficientData` when the points have fewer distinct values than k.
    /// - Complexity: per Lloyd iteration O(n k d) on the backend at worst (the bounds skip most of
    ///   it once centroids settle) and O(n + k^2 d) on the host; O(n log n + n d) more when a
    ///   cluster empties and is relocated.
    public func fit(_ matrix: PointMatrix) throws -> KMeansResult {
        try configuration.validate()
        let k = configuration.clusters
        let distinct = matrix.distinctRowCount(upTo: k)
        guard distinct >= k else {
            throw SignaturesError.insufficientData(
                "K-means with k = \(k) needs at least \(k) distinct points; the \(matrix.rows) points have \(distinct)")
        }
        // Every seeding first, in restart order from one generator (Lloyd draws nothing), then
        // every restart's Lloyd iterations side by side: one pass over the points per step
        // serves all the runs still going.
        var generator = SeededGenerator(seed: configuration.seed)
        let seedingScratch = try KMeansPlusPlus.Scratch(matrix: matrix, k: k)
        let seedings = try (0..<configuration.restarts).map { _ in
            try KMeansPlusPlus(matrix: matrix, k: k, generator: &generator, scratch: seedingScratch)
        }
        let runs = try seedings.map { seeding in
            try LloydRun(matrix: matrix, clusters: k, from: seeding.seeds.flatMap { matrix.row($0) }, seeding: seeding)
        }
        let results = try LloydRun.iterate(runs, configuration: configuration)
        var best: KMeansResult?
        for (restart, var result) in results.enumerated() {
            result.restart = restart
            result.seeds = seedings[restart].seeds
            if best == nil || result.inertia < best!.inertia { best = result }
        }
        best!.totalIterations = results.reduce(0) { $0 + $1.iterations }
        best!.restartInertias = results.map(\.inertia)
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
        guard initialCentroids.allSatisfy(\.isFinite) else {
            throw SignaturesError.invalidArgument("initial centroids must be finite")
        }
        guard matrix.rows >= configuration.clusters else {
            throw SignaturesError.insufficientData("K-means with k = \(configuration.clusters) needs at least \(configuration.clusters) points, got \(matrix.rows)")
        }
        let run = try LloydRun(matrix: matrix, clusters: configuration.clusters, from: initialCentroids, seeding: nil)
        return try LloydRun.iterate([run], configuration: configuration)[0]
    }
}

/// One run of Lloyd iterations: its backend tensors and where it stands, stepped side by side
/// with the other restarts of its clustering by `iterate`.
///
/// Assignments use Hamerly's bounds (`Backend.boundedNearestCentroids`): the labels of plain
/// Lloyd (but for ties to float32 rounding), and after the first iterations most points are
/// proven to keep their centroid without a distance. The cluster totals are float64 on the host:
/// recomputed with `clusterSums` on the backend while many labels change, then followed point by
/// point (only the points that changed cluster move their coordinates).
private final class LloydRun {
    let matrix: PointMatrix
    let k: Int
    let assignments: Tensor, centroids: Tensor, upper: Tensor, lower: Tensor
    /// The centroids now, row-major `k x d`, and how far each moved in the last update.
    var current: [Float]
    var shifts: [Float]
    var clusters: ClusterTotals
    var previousLabels: [Int32]?
    var iterations = 0
    var converged = false

    /// A run from `initial` centroids. With `seeding` (the k-means++ run that chose them), its
    /// nearest seeds and distances are the first assignment's bounds, exact, so the first pass
    /// proves most points at once.
    init(matrix: PointMatrix, clusters k: Int, from initial: [Float], seeding: KMeansPlusPlus?) throws {
        self.matrix = matrix
        self.k = k
        let backend = matrix.backend
        assignments = try backend.zeros([matrix.rows], elementType: .int32)
        upper = try backend.zeros([matrix.rows])
        lower = try backend.zeros([matrix.rows])
        centroids = try backend.zeros([k, matrix.columns])
        current = initial
        shifts = [Float](repeating: 0, count: k)
        clusters = ClusterTotals(clusters: k, dimensions: matrix.columns)
        try backend.write(current, to: centroids)
        if let seeding {
            try backend.writeIntegers(seeding.nearest, to: assignments)
            try backend.write(seeding.nearestSquared.map { max($0, 0).squareRoot() }, to: upper)
            try backend.write(seeding.secondSquared.map { max($0, 0).squareRoot() }, to: lower)
        } else {
            try backend.fill(upper, with: .infinity)
            try backend.fill(lower, with: 0)
        }
    }

    /// Iterates every run until each converges or reaches the iteration limit, then labels the
    /// points by each run's final centroids (scikit-learn's closing E-step).
    static func iterate(_ runs: [LloydRun], configuration: KMeansConfiguration) throws -> [KMeansResult] {
        guard let matrix = runs.first?.matrix else { return [] }
        let backend = matrix.backend
        let tolerance = configuration.tolerance * matrix.meanColumnVariance
        // The scratch of the update step, shared by the runs (they update one after another).
        let sums = try backend.zeros([runs[0].k, matrix.columns]), counts = try backend.zeros([runs[0].k])
        for iteration in 1...configuration.maximumIterations {
            let going = runs.filter { !$0.converged }
            guard !going.isEmpty else { break }
            try backend.boundedNearestCentroids(points: matrix.points, pointNorms: matrix.squaredNorms, runs: going.map(\.bounds))
            for run in going {
                try run.update(iteration: iteration, tolerance: tolerance, sums: sums, counts: counts)
            }
        }
        let distances = try backend.zeros([matrix.rows])
        return try runs.map { try $0.result(distances: distances) }
    }

    /// This run's share of the next assignment pass.
    var bounds: BoundedAssignmentRun {
        BoundedAssignmentRun(centroids: centroids, shifts: shifts, halfSeparations: Self.halfSeparations(current, k: k, d: matrix.columns),
                             assignments: assignments, upper: upper, lower: lower)
    }

    /// Lloyd's update after an assignment pass: the cluster totals, an empty cluster relocated,
    /// the centroids moved to their means; converged when no label changed or the summed squared
    /// shift is at most `tolerance`.
    func update(iteration: Int, tolerance: Double, sums: Tensor, counts: Tensor) throws {
        let backend = matrix.backend, d = matrix.columns
        iterations = iteration
        let labels = try backend.readIntegers(assignments)
        // Moving a changed point costs 2d float64 additions on the host; once more than a
        // sixteenth of the points changed, one parallel pass of clusterSums costs less.
        if iteration == 1 || clusters.changes(to: labels) * 16 > matrix.rows {
            try backend.clusterSums(points: matrix.points, assignments: assignments, into: sums, counts: counts)
            clusters.start(sums: try backend.read(sums), counts: try backend.read(counts), labels: labels)
        } else {
            clusters.follow(labels, matrix)
        }
        if clusters.counts.contains(0) {
            clusters.relocateEmptyClusters(matrix, centroids: current, labels: labels)
        }
        var updated = [Float](repeating: 0, count: k * d)
        var totalShift = 0.0
        for c in 0..<k {
            var moved = 0.0
            for j in 0..<d {
                // A cluster left empty (its only point relocated to another) goes where
                // scikit-learn's leftover sum in centred coordinates puts it: the data mean.
                let value = clusters.counts[c] > 0 ? Float(clusters.sums[c * d + j] / clusters.counts[c])
                                                   : Float(matrix.columnMeans[j] + clusters.sums[c * d + j])
                updated[c * d + j] = value
                let move = Double(value) - Double(current[c * d + j])
                moved += move * move
            }
            shifts[c] = Float(moved.squareRoot())
            totalShift += moved
        }
        current = updated
        try backend.write(current, to: centroids)
        converged = labels == previousLabels || totalShift <= tolerance
        previousLabels = labels
    }

    /// The labels, inertia and sizes of the final centroids, from `nearestCentroids` into
    /// `distances` (`[n]`, shared by the runs).
    func result(distances: Tensor) throws -> KMeansResult {
        let backend = matrix.backend
        try backend.nearestCentroids(points: matrix.points, pointNorms: matrix.squaredNorms, centroids: centroids,
                                     assignments: assignments, distances: distances)
        let labels = try backend.readIntegers(assignments)
        let inertia = try backend.read(distances).reduce(0.0) { $0 + Double($1) }
        var sizes = [Int](repeating: 0, count: k)
        for label in labels { sizes[Int(label)] += 1 }
        return KMeansResult(clusters: k, assignments: labels, centroids: current, inertia: inertia,
                            iterations: iterations, sizes: sizes, restart: 0, totalIterations: iterations,
                            restartInertias: [inertia], seeds: [])
    }

    /// Half the distance from each centroid to its nearest other one (+infinity for k = 1): a
    /// point within it of its own centroid is nearer to it than to any other.
    static func halfSeparations(_ centroids: [Float], k: Int, d: Int) -> [Float] {
        var nearest = [Double](repeating: .infinity, count: k)
        for a in 0..<k {
            for b in (a + 1)..<max(k, a + 1) {
                var squared = 0.0
                for j in 0..<d {
                    let difference = Double(centroids[a * d + j]) - Double(centroids[b * d + j])
                    squared += difference * difference
                }
                nearest[a] = min(nearest[a], squared)
                nearest[b] = min(nearest[b], squared)
            }
        }
        return nearest.map { Float($0.squareRoot() / 2) }
    }
}

/// Per-cluster sums of coordinates and counts in float64, following the labels point by point.
private struct ClusterTotals {
    let k: Int, d: Int
    var sums: [Double]
    var counts: [Double]
    /// The cluster each point is summed into (a relocated point leaves its label's cluster).
    var members: [Int32] = []

    init(clusters k: Int, dimensions d: Int) {
        self.k = k
        self.d = d
        sums = [Double](repeating: 0, count: k * d)
        counts = [Double](repeating: 0, count: k)
    }

    mutating func start(sums: [Float], counts: [Float], labels: [Int32]) {
        self.sums = sums.map(Double.init)
        self.counts = counts.map(Double.init)
        members = labels
    }

    /// How many points `labels` moves to another cluster.
    func changes(to labels: [Int32]) -> Int {
        labels.withUnsafeBufferPointer { labels in
            members.withUnsafeBufferPointer { members in
                var count = 0
                for i in 0..<labels.count where labels[i] != members[i] { count += 1 }
                return count
            }
        }
    }

    /// Moves every point whose label changed from its old cluster's totals to its new one's.
    mutating func follow(_ labels: [Int32], _ matrix: PointMatrix) {
        let d = self.d
        matrix.values.withUnsafeBufferPointer { values in
            sums.withUnsafeMutableBufferPointer { sums in
                counts.withUnsafeMutableBufferPointer { counts in
                    members.withUnsafeMutableBufferPointer { members in
                        for i in 0..<labels.count where labels[i] != members[i] {
                            let old = Int(members[i]) * d, new = Int(labels[i]) * d, point = values.baseAddress! + i * d
                            for j in 0..<d {
                                let value = Double(point[j])
                                sums[old + j] -= value
                                sums[new + j] += value
                            }
                            counts[Int(members[i])] -= 1
                            counts[Int(labels[i])] += 1
                            members[i] = labels[i]
                        }
                    }
                }
            }
        }
    }

    /// scikit-learn's `_relocate_empty_clusters_dense`: each empty cluster, in index order, takes
    /// the next point farthest from its assigned centroid, moved out of its old cluster's totals.
    mutating func relocateEmptyClusters(_ matrix: PointMatrix, centroids: [Float], labels: [Int32]) {
        let empty = (0..<k).filter { counts[$0] == 0 }
        var distances = [Double](repeating: 0, count: matrix.rows)
        for i in 0..<matrix.rows {
            let c = Int(labels[i])
            var squared = 0.0
            for j in 0..<d {
                let difference = Double(matrix.values[i * d + j]) - Double(centroids[c * d + j])
                squared += difference * difference
            }
            distances[i] = squared
        }
        let farthest = distances.indices.sorted { distances[$0] > distances[$1] || (distances[$0] == distances[$1] && $0 < $1) }
        for (cluster, point) in zip(empty, farthest) {
            let old = Int(members[point])
            for j in 0..<d {
                let value = Double(matrix.values[point * d + j])
                sums[old * d + j] -= value
                sums[cluster * d + j] = value
            }
            counts[old] -= 1
            counts[cluster] = 1
            members[point] = Int32(cluster)
        }
    }
}
