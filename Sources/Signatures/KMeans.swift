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
        let seedings = try KMeansPlusPlus.seed(matrix, k: k, restarts: configuration.restarts, generator: &generator)
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
private final class LloydRun: @unchecked Sendable {
    // Shared with the workers of `inParallel`, one run per worker at a time.
    let matrix: PointMatrix
    let k: Int
    let assignments: Tensor, centroids: Tensor, upper: Tensor, lower: Tensor
    /// The centroids now, row-major `k x d`, and how far each moved in the last update.
    var current: [Float]
    var shifts: [Float]
    var clusters: ClusterTotals
    var previousLabels: [Int32]?
    /// Whether the last update relocated a point, leaving the totals' members different from
    /// `previousLabels`.
    var relocated = false
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
        // The scratch of the backend's sums, shared by the runs (they sum one after another).
        let sums = try backend.zeros([runs[0].k, matrix.columns]), counts = try backend.zeros([runs[0].k])
        for iteration in 1...configuration.maximumIterations {
            let going = runs.filter { !$0.converged }
            guard !going.isEmpty else { break }
            try backend.boundedNearestCentroids(points: matrix.points, pointNorms: matrix.squaredNorms, runs: going.map(\.bounds))
            // The backend's reads and writes one run after another; the host's share of each
            // run's update (O(n) per run) side by side.
            for run in going { run.labels = try backend.readIntegers(run.assignments) }
            inParallel(going) { $0.countChanges(iteration: iteration) }
            for run in going where run.resums {
                try backend.clusterSums(points: matrix.points, assignments: run.assignments, into: sums, counts: counts)
                run.clusters.start(sums: try backend.read(sums), counts: try backend.read(counts), labels: run.labels)
            }
            inParallel(going) { $0.update(iteration: iteration, tolerance: tolerance) }
            for run in going { try backend.write(run.current, to: run.centroids) }
        }
        // scikit-learn's closing E-step: the labels of the final centroids. One more bounded
        // pass does it (the last update's shifts loosen the bounds as for another iteration, and
        // with the centroids settled it proves nearly every point at once), and the inertia comes
        // from the cluster totals of those labels: no distance to every centroid, no pass over
        // the points.
        try backend.boundedNearestCentroids(points: matrix.points, pointNorms: matrix.squaredNorms, runs: runs.map(\.bounds))
        for run in runs { run.labels = try backend.readIntegers(run.assignments) }
        let spread = matrix.meanColumnVariance * Double(matrix.rows * matrix.columns), means = matrix.columnMeans
        inParallel(runs) { $0.close(spread: spread, means: means) }
        return runs.map(\.result)
    }

    /// This run's share of the next assignment pass.
    var bounds: BoundedAssignmentRun {
        BoundedAssignmentRun(centroids: centroids, shifts: shifts, halfSeparations: Self.halfSeparations(current, k: k, d: matrix.columns),
                             assignments: assignments, upper: upper, lower: lower)
    }

    /// Whether this iteration's cluster totals are summed anew on the backend (`clusterSums`)
    /// rather than followed point by point on the host.
    private(set) var resums = false

    /// The labels of the last assignment pass, read back from the backend.
    var labels: [Int32] = []

    /// The points whose label the last assignment pass changed, counted by `countChanges`
    /// (nil in the first iteration, before the totals have members).
    private var changes: Int?

    /// After an assignment pass: lists the points that changed cluster, and decides whether the
    /// totals are summed anew. Moving a changed point costs 2d float64 additions on the host;
    /// once more than a sixteenth of the points changed, one parallel pass of clusterSums costs
    /// less.
    func countChanges(iteration: Int) {
        changes = iteration == 1 ? nil : clusters.listChanges(labels)
        resums = changes.map { $0 * 16 > matrix.rows } ?? true
    }

    /// Lloyd's update after an assignment pass (and, where `resums`, the backend's sums): the
    /// cluster totals followed, an empty cluster relocated, the centroids moved to their means;
    /// converged when no label changed or the summed squared shift is at most `tolerance`.
    func update(iteration: Int, tolerance: Double) {
        let d = matrix.columns
        iterations = iteration
        if !resums { clusters.moveListed(labels, matrix) }
        // No label changed since the last pass: the changes listed against the members, which
        // are the last labels unless a point was relocated then.
        let unchanged = relocated ? previousLabels.map { ClusterTotals.differences(labels, $0) == 0 } ?? false : changes == 0
        relocated = clusters.counts.contains(0)
        if relocated {
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
        converged = totalShift <= tolerance || unchanged
        previousLabels = labels
    }

    /// Runs `body` for every run, in parallel; each touches only its own run.
    private static func inParallel(_ runs: [LloydRun], _ body: @Sendable (LloydRun) -> Void) {
        parallelRanges(runs.count, parts: runs.count) { range in
            for r in range { body(runs[r]) }
        }
    }

    /// After the closing assignment (`labels`): the totals follow the labels, and the inertia is
    /// computed from them in float64, in coordinates centred on the data mean `m`:
    /// `sum |x - m|^2 - sum over clusters of (2 (c - m) . (S_c - n_c m) - n_c |c - m|^2)` for
    /// centroids `c`, member sums `S_c` and counts `n_c`. Centred, the terms cancel only as
    /// much as the clusters explain the spread.
    func close(spread: Double, means: [Double]) {
        clusters.follow(labels, matrix)
        let d = matrix.columns
        var inertia = spread
        for c in 0..<k {
            var dot = 0.0, norm = 0.0
            for j in 0..<d {
                let centred = Double(current[c * d + j]) - means[j]
                dot += centred * (clusters.sums[c * d + j] - clusters.counts[c] * means[j])
                norm += centred * centred
            }
            inertia += clusters.counts[c] * norm - 2 * dot
        }
        closingInertia = max(inertia, 0)
    }

    /// The inertia of the closing assignment (`close`).
    private var closingInertia = 0.0

    /// The labels, inertia and sizes of the final centroids (after `close`).
    var result: KMeansResult {
        KMeansResult(clusters: k, assignments: labels, centroids: current, inertia: closingInertia,
                     iterations: iterations, sizes: clusters.counts.map { Int($0) }, restart: 0, totalIterations: iterations,
                     restartInertias: [closingInertia], seeds: [])
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
    /// The points whose label differs from their member cluster, as `listChanges` found them
    /// (the first `listed`).
    private var changed: [Int32] = []
    private var listed = 0

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

    /// How many positions of `a` and `b` (of one length) differ, 16 at a time.
    static func differences(_ a: [Int32], _ b: [Int32]) -> Int {
        precondition(a.count == b.count, "label lists of different lengths")
        guard !a.isEmpty else { return 0 }
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                let n = a.count, rawA = UnsafeRawPointer(a.baseAddress!), rawB = UnsafeRawPointer(b.baseAddress!)
                var counts = SIMD16<Int32>(), i = 0
                while i + 16 <= n {
                    let x = rawA.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Int32>.self)
                    let y = rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Int32>.self)
                    counts &+= SIMD16<Int32>(repeating: 0).replacing(with: 1, where: x .!= y)
                    i += 16
                }
                var count = Int(counts.wrappedSum())
                while i < n {
                    if a[i] != b[i] { count += 1 }
                    i += 1
                }
                return count
            }
        }
    }

    /// Lists the points whose label differs from their member cluster, and returns how many.
    ///
    /// Without a branch: tested and moved in one loop, each changed point mispredicted a branch
    /// and cancelled the loads of its row already under way, and the rows (read from memory, a
    /// few per thousand points) were waited on one by one.
    mutating func listChanges(_ labels: [Int32]) -> Int {
        let n = labels.count
        if changed.count < n { changed = [Int32](repeating: 0, count: n) }
        var changes = 0
        labels.withUnsafeBufferPointer { labels in
            members.withUnsafeBufferPointer { members in
                changed.withUnsafeMutableBufferPointer { changed in
                    for i in 0..<n {
                        changed[changes] = Int32(truncatingIfNeeded: i)
                        // (A Bool's byte: `? 1 : 0` compiled as a jump.)
                        changes &+= Int(unsafeBitCast(labels[i] != members[i], to: UInt8.self))
                    }
                }
            }
        }
        listed = changes
        return changes
    }

    /// Moves every point whose label changed from its old cluster's totals to its new one's.
    mutating func follow(_ labels: [Int32], _ matrix: PointMatrix) {
        _ = listChanges(labels)
        moveListed(labels, matrix)
    }

    /// Moves the points `listChanges` listed (for these `labels`) to their new clusters' totals.
    mutating func moveListed(_ labels: [Int32], _ matrix: PointMatrix) {
        let d = self.d, changes = listed
        matrix.values.withUnsafeBufferPointer { values in
            sums.withUnsafeMutableBufferPointer { sums in
                counts.withUnsafeMutableBufferPointer { counts in
                    members.withUnsafeMutableBufferPointer { members in
                        changed.withUnsafeBufferPointer { changed in
                            let total = sums.baseAddress!
                            for position in 0..<changes {
                                let i = Int(changed[position])
                                let old = total + Int(members[i]) &* d, new = total + Int(labels[i]) &* d
                                let point = values.baseAddress! + i &* d
                                // Eight coordinates at a time: the same float64 additions, in vectors.
                                var j = 0
                                while j &+ 8 <= d {
                                    let value = SIMD8<Double>(UnsafeRawPointer(point + j).loadUnaligned(as: SIMD8<Float>.self))
                                    let rawOld = UnsafeMutableRawPointer(old + j), rawNew = UnsafeMutableRawPointer(new + j)
                                    rawOld.storeBytes(of: rawOld.loadUnaligned(as: SIMD8<Double>.self) - value, as: SIMD8<Double>.self)
                                    rawNew.storeBytes(of: rawNew.loadUnaligned(as: SIMD8<Double>.self) + value, as: SIMD8<Double>.self)
                                    j &+= 8
                                }
                                while j < d {
                                    let value = Double(point[j])
                                    old[j] -= value
                                    new[j] += value
                                    j &+= 1
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
        listed = 0
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
