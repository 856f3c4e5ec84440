/// Shape and element-type checks of the distance operations, shared by both backends.
extension OperandChecks {
    /// `tensor` holds `elementType` values.
    static func elementType(_ operation: String, _ tensor: Tensor, _ elementType: ElementType) throws {
        guard tensor.elementType == elementType else {
            throw EngineError.elementTypeMismatch(operation: operation, expected: elementType, actual: tensor.elementType)
        }
    }

    /// `points` is an `[n, d]` matrix and `norms` holds its `n` row norms; returns (n, d).
    static func pointsWithNorms(_ operation: String, _ points: Tensor, _ norms: Tensor) throws -> (n: Int, d: Int) {
        guard points.shape.count == 2 else {
            throw EngineError.shapeMismatch(operation: operation, detail: "points must be a matrix, got \(points.shape)")
        }
        try perRow(operation, vector: norms, matrix: points)
        return (points.shape[0], points.shape[1])
    }

    /// `centers` is an `[m, d]` matrix with the points' `d` columns and at least one row; returns m.
    static func centers(_ operation: String, _ centers: Tensor, dimensions d: Int) throws -> Int {
        guard centers.shape.count == 2, centers.shape[1] == d, centers.shape[0] >= 1 else {
            throw EngineError.shapeMismatch(
                operation: operation, detail: "centers must be [m >= 1, \(d)], got \(centers.shape)")
        }
        return centers.shape[0]
    }

    static func squaredDistances(_ points: Tensor, _ norms: Tensor, _ centers: Tensor, _ distances: Tensor) throws
        -> (n: Int, d: Int, m: Int) {
        let (n, d) = try pointsWithNorms("squaredDistances", points, norms)
        let m = try Self.centers("squaredDistances", centers, dimensions: d)
        guard distances.shape == [n, m] else {
            throw EngineError.shapeMismatch(operation: "squaredDistances", detail: "distances must be [\(n), \(m)], got \(distances.shape)")
        }
        return (n, d, m)
    }

    static func nearestCentroids(_ points: Tensor, _ norms: Tensor, _ centroids: Tensor,
                                 _ assignments: Tensor, _ distances: Tensor) throws -> (n: Int, d: Int, k: Int) {
        let (n, d) = try pointsWithNorms("nearestCentroids", points, norms)
        let k = try centers("nearestCentroids", centroids, dimensions: d)
        try elementType("nearestCentroids", assignments, .int32)
        try perRow("nearestCentroids", vector: assignments, matrix: points)
        try perRow("nearestCentroids", vector: distances, matrix: points)
        return (n, d, k)
    }

    /// Per run: its k. All runs share the points.
    static func boundedNearestCentroids(_ points: Tensor, _ norms: Tensor, runs: [BoundedAssignmentRun]) throws
        -> (n: Int, d: Int, clusters: [Int]) {
        let operation = "boundedNearestCentroids"
        let (n, d) = try pointsWithNorms(operation, points, norms)
        let clusters = try runs.map { run in
            let k = try centers(operation, run.centroids, dimensions: d)
            try elementType(operation, run.assignments, .int32)
            for vector in [run.assignments, run.upper, run.lower] { try perRow(operation, vector: vector, matrix: points) }
            guard run.shifts.count == k, run.halfSeparations.count == k else {
                throw EngineError.shapeMismatch(
                    operation: operation,
                    detail: "\(run.shifts.count) shifts and \(run.halfSeparations.count) separations for \(k) centroids")
            }
            return k
        }
        return (n, d, clusters)
    }

    static func clusterSums(_ points: Tensor, _ assignments: Tensor, _ sums: Tensor, _ counts: Tensor) throws
        -> (n: Int, d: Int, k: Int) {
        guard points.shape.count == 2 else {
            throw EngineError.shapeMismatch(operation: "clusterSums", detail: "points must be a matrix, got \(points.shape)")
        }
        let n = points.shape[0], d = points.shape[1], k = counts.count
        try elementType("clusterSums", assignments, .int32)
        try perRow("clusterSums", vector: assignments, matrix: points)
        guard sums.shape == [k, d] else {
            throw EngineError.shapeMismatch(operation: "clusterSums", detail: "sums must be [\(k), \(d)] for \(k) counts, got \(sums.shape)")
        }
        return (n, d, k)
    }

    static func oneHot(_ labels: Tensor, classes: Int, _ memberships: Tensor, columnOffset: Int) throws -> (n: Int, width: Int) {
        try elementType("oneHot", labels, .int32)
        guard memberships.shape.count == 2, memberships.shape[0] == labels.count else {
            throw EngineError.shapeMismatch(operation: "oneHot", detail: "\(labels.count) labels for memberships \(memberships.shape)")
        }
        let width = memberships.shape[1]
        guard classes >= 0, columnOffset >= 0, columnOffset + classes <= width else {
            throw EngineError.invalidArgument(
                operation: "oneHot", detail: "columns \(columnOffset)..<\(columnOffset + classes) do not fit \(width) columns")
        }
        return (labels.count, width)
    }

    static func silhouetteSums(_ points: Tensor, _ norms: Tensor, _ memberships: Tensor, _ sums: Tensor,
                               blockRows: Int) throws -> (n: Int, d: Int, t: Int) {
        let (n, d) = try pointsWithNorms("silhouetteSums", points, norms)
        guard memberships.shape.count == 2, memberships.shape[0] == n, sums.shape == memberships.shape else {
            throw EngineError.shapeMismatch(
                operation: "silhouetteSums",
                detail: "memberships \(memberships.shape) and sums \(sums.shape) must both be [\(n), T]")
        }
        // A tile holds min(blockRows, n)^2 values; 46340^2 is the last square under 2^31.
        guard blockRows >= 1, min(blockRows, n) <= 46_340 else {
            throw EngineError.invalidArgument(
                operation: "silhouetteSums", detail: "blockRows must be 1 ... 46340 (a tile of at most 2^31 - 1 values), got \(blockRows)")
        }
        return (n, d, memberships.shape[1])
    }
}

/// The checks of `kNearest`, the same on both backends.
extension OperandChecks {
    /// The most neighbours `kNearest` keeps per query: on a device each work-item holds its list
    /// in private memory (`MAX_K` of `neighbors.cl`), and the CPU backend takes the same limit so
    /// that both accept the same calls.
    static let maximumNeighbors = 64

    /// Checks the operands of `kNearest`; returns (m queries, n points, d dimensions).
    static func kNearest(_ queries: Tensor, _ queryNorms: Tensor, _ points: Tensor, _ pointNorms: Tensor, k: Int,
                         selfOffset: Int?, _ indices: Tensor, _ distances: Tensor) throws -> (m: Int, n: Int, d: Int) {
        let operation = "kNearest"
        for tensor in [queries, queryNorms, points, pointNorms, distances] { try elementType(operation, tensor, .float32) }
        try elementType(operation, indices, .int32)
        guard queries.shape.count == 2, points.shape.count == 2, queries.shape[1] == points.shape[1] else {
            throw EngineError.shapeMismatch(
                operation: operation, detail: "queries \(queries.shape) and points \(points.shape) must be matrices of as many columns")
        }
        try perRow(operation, vector: queryNorms, matrix: queries)
        try perRow(operation, vector: pointNorms, matrix: points)
        let m = queries.shape[0], n = points.shape[0], d = points.shape[1]
        guard indices.shape == [m, k], distances.shape == [m, k] else {
            throw EngineError.shapeMismatch(
                operation: operation, detail: "indices \(indices.shape) and distances \(distances.shape) must both be [\(m), \(k)]")
        }
        if let offset = selfOffset, offset < 0 || offset + m > n {
            throw EngineError.invalidArgument(
                operation: operation, detail: "queries as rows \(offset)..<\(offset + m) do not fit \(n) points")
        }
        let available = selfOffset == nil ? n : n - 1
        guard k >= 1, k <= min(available, maximumNeighbors) else {
            throw EngineError.invalidArgument(
                operation: operation,
                detail: "k must be 1 ... \(min(available, maximumNeighbors)) (at most \(maximumNeighbors), and \(available) rows "
                    + "available\(selfOffset == nil ? "" : " with self left out")), got \(k)")
        }
        return (m, n, d)
    }
}

/// The row blocks of a blocked pass over `n` rows: `0..<b, b..<2b, ...`.
func rowBlocks(_ n: Int, _ blockRows: Int) -> [Range<Int>] {
    stride(from: 0, to: n, by: blockRows).map { $0..<min(n, $0 + blockRows) }
}
