import Engine

/// A matrix of points (one row per image, one column per unit of a layer) held on a backend for
/// clustering, with what every clustering of it needs: each row's squared norm, on the backend,
/// and the values on the host (k-means++ seeds and relocated clusters are rows of it).
///
/// Made once per layer and shared by every K-means run and silhouette of that layer.
public final class PointMatrix {
    /// The backend the points live on.
    public let backend: any Backend
    /// The number of points.
    public let rows: Int
    /// The number of coordinates per point.
    public let columns: Int
    /// The row-major values, as uploaded.
    public let values: [Float]
    /// The points on the backend, `[rows, columns]`.
    public let points: Tensor
    /// Their squared norms on the backend, `[rows]`.
    public let squaredNorms: Tensor

    /// Uploads a row-major `rows x columns` matrix and computes its row norms there.
    /// - Throws: `SignaturesError.sizeMismatch` when `values.count != rows * columns`,
    ///   `.invalidArgument` for a non-finite value; engine errors from the backend.
    public init(_ values: [Float], rows: Int, columns: Int, backend: any Backend) throws {
        guard rows >= 0, columns >= 1, values.count == rows * columns else {
            throw SignaturesError.sizeMismatch("\(values.count) values cannot be \(rows) points of \(columns) coordinates")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw SignaturesError.invalidArgument("point \(bad / columns) has a non-finite coordinate (\(values[bad]))")
        }
        self.backend = backend
        self.rows = rows
        self.columns = columns
        self.values = values
        points = try backend.upload(values, shape: [rows, columns])
        squaredNorms = try backend.zeros([rows])
        try backend.rowSquaredNorms(points, into: squaredNorms)
    }

    /// The coordinates of point `index`.
    public func row(_ index: Int) -> ArraySlice<Float> {
        values[index * columns..<(index + 1) * columns]
    }

    /// Each column's mean, in float64.
    public private(set) lazy var columnMeans: [Double] = {
        var mean = [Double](repeating: 0, count: columns)
        guard rows > 0 else { return mean }
        for r in 0..<rows { for c in 0..<columns { mean[c] += Double(values[r * columns + c]) } }
        for c in 0..<columns { mean[c] /= Double(rows) }
        return mean
    }()

    /// The mean over columns of each column's population variance, in float64: scikit-learn's
    /// scale for K-means' tolerance.
    public private(set) lazy var meanColumnVariance: Double = {
        guard rows > 0 else { return 0 }
        let mean = columnMeans
        var variance = 0.0
        for r in 0..<rows {
            for c in 0..<columns {
                let deviation = Double(values[r * columns + c]) - mean[c]
                variance += deviation * deviation
            }
        }
        return variance / Double(rows) / Double(columns)
    }()

    /// The number of distinct points, counted up to `limit` (the count stops there).
    /// - Complexity: O(rows * columns) expected.
    public func distinctRowCount(upTo limit: Int) -> Int {
        var seen = Set<ArraySlice<Float>>()
        for r in 0..<rows {
            // -0 and 0 are one coordinate; Float's == already says so, and its hash agrees.
            seen.insert(row(r))
            if seen.count >= limit { return seen.count }
        }
        return seen.count
    }
}

extension PointMatrix {
    /// Each point's nearest of `k` centroids (row-major `k x columns`), the lowest index on ties,
    /// computed on the backend: K-means's `predict`.
    /// - Throws: `SignaturesError.sizeMismatch` when the centroids do not have `columns` coordinates.
    public func nearestCentroids(_ centroids: [Float], k: Int) throws -> [Int32] {
        guard k >= 1, centroids.count == k * columns else {
            throw SignaturesError.sizeMismatch("\(centroids.count) values cannot be \(k) centroids of \(columns) coordinates")
        }
        guard rows > 0 else { return [] }
        let assignments = try backend.zeros([rows], elementType: .int32), distances = try backend.zeros([rows])
        try backend.nearestCentroids(points: points, pointNorms: squaredNorms, centroids: backend.upload(centroids, shape: [k, columns]),
                                     assignments: assignments, distances: distances)
        return try backend.readIntegers(assignments)
    }
}
