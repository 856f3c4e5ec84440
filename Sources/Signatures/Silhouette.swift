import Engine

/// The exact mean silhouette (Euclidean), as scikit-learn's `silhouette_score`, of several
/// labelings of the same points at once.
///
/// For point i of a cluster A, `a(i)` is its mean distance to the other members of A and `b(i)`
/// the smallest mean distance to the members of another cluster; `s(i) = (b - a) / max(a, b)`,
/// 0 in a cluster of one. Every labeling's per-cluster distance sums come from one tiled pass
/// over the pairwise distances on the backend (`Backend.silhouetteSums`): the candidate k = 2 ... 10
/// of a layer cost one pass, not nine. The sums are float32; `a`, `b` and the mean are float64.
public struct Silhouette {
    /// Rows per tile of the pairwise pass; tiles are `blockRows x blockRows` floats of scratch.
    public var blockRows: Int

    /// A silhouette computed in tiles of `blockRows` rows (1024: 4 MB of scratch).
    public init(blockRows: Int = 1024) {
        self.blockRows = blockRows
    }

    /// The mean silhouette of each labeling (each one label per point, any integer values).
    /// - Throws: `SignaturesError.sizeMismatch` when a labeling's length is not the number of
    ///   points, `.invalidArgument` when a labeling has fewer than 2 or more than n - 1 clusters
    ///   (scikit-learn's domain).
    /// - Complexity: O(n^2 (d + T)) on the backend for T clusters in all labelings together.
    public func scores(of labelings: [[Int32]], on matrix: PointMatrix) throws -> [Double] {
        try samples(of: labelings, on: matrix).map { values in values.reduce(0, +) / Double(values.count) }
    }

    /// Every point's silhouette under each labeling (scikit-learn's `silhouette_samples`).
    public func samples(of labelings: [[Int32]], on matrix: PointMatrix) throws -> [[Double]] {
        let n = matrix.rows
        let dense = try labelings.map { try DenseLabels($0, points: n) }
        let width = dense.reduce(0) { $0 + $1.clusters }
        guard width > 0 else { return [] }
        let backend = matrix.backend
        let memberships = try backend.zeros([n, width]), sums = try backend.zeros([n, width])
        var offset = 0
        for labeling in dense {
            try backend.oneHot(backend.uploadIntegers(labeling.labels, shape: [n]), classes: labeling.clusters,
                               into: memberships, columnOffset: offset)
            offset += labeling.clusters
        }
        try backend.silhouetteSums(points: matrix.points, pointNorms: matrix.squaredNorms, memberships: memberships,
                                   into: sums, blockRows: blockRows)
        let distanceSums = try backend.read(sums)
        offset = 0
        return dense.map { labeling in
            defer { offset += labeling.clusters }
            return labeling.silhouettes(distanceSums, width: width, offset: offset)
        }
    }

    /// The mean silhouette of each labeling over a seeded random subset of `sampleSize` points
    /// (scikit-learn's `sample_size`), drawn without replacement.
    public func scores(of labelings: [[Int32]], on matrix: PointMatrix, sampleSize: Int, seed: UInt64) throws -> [Double] {
        guard sampleSize >= 2, sampleSize <= matrix.rows else {
            throw SignaturesError.invalidArgument("a silhouette sample of \(sampleSize) points must be between 2 and \(matrix.rows)")
        }
        var generator = SeededGenerator(seed: seed)
        var indices = Array(0..<matrix.rows)
        generator.shuffle(&indices)
        let chosen = indices.prefix(sampleSize).sorted()
        let subset = try PointMatrix(chosen.flatMap { matrix.row($0) }, rows: sampleSize, columns: matrix.columns,
                                     backend: matrix.backend)
        return try scores(of: labelings.map { labels in
            guard labels.count == matrix.rows else { return labels }  // reported by `scores`
            return chosen.map { labels[$0] }
        }, on: subset)
    }
}

/// One labeling renumbered `0..<clusters` in the order of its sorted distinct values (as
/// scikit-learn's `LabelEncoder`), with its cluster sizes.
private struct DenseLabels {
    let labels: [Int32]
    let clusters: Int
    let sizes: [Int]

    init(_ raw: [Int32], points n: Int) throws {
        guard raw.count == n else {
            throw SignaturesError.sizeMismatch("a labeling of \(raw.count) labels for \(n) points")
        }
        let distinct = Array(Set(raw)).sorted()
        guard distinct.count >= 2, distinct.count <= n - 1 else {
            throw SignaturesError.invalidArgument(
                "the silhouette needs 2 to n - 1 = \(n - 1) clusters; this labeling has \(distinct.count)")
        }
        let code = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, Int32($0)) })
        labels = raw.map { code[$0]! }
        clusters = distinct.count
        var sizes = [Int](repeating: 0, count: distinct.count)
        for label in labels { sizes[Int(label)] += 1 }
        self.sizes = sizes
    }

    /// Each point's silhouette from its row of per-cluster distance sums (columns
    /// `offset ..< offset + clusters` of a `width`-wide row-major matrix).
    func silhouettes(_ sums: [Float], width: Int, offset: Int) -> [Double] {
        labels.enumerated().map { i, label in
            let own = Int(label)
            guard sizes[own] > 1 else { return 0 }
            let row = i * width + offset
            let a = Double(sums[row + own]) / Double(sizes[own] - 1)
            var b = Double.infinity
            for c in 0..<clusters where c != own {
                b = min(b, Double(sums[row + c]) / Double(sizes[c]))
            }
            let denominator = max(a, b)
            return denominator > 0 ? (b - a) / denominator : 0
        }
    }
}
