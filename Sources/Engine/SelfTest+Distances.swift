/// The self-test's checks of the distance operations (K-means and silhouette). Labels are made
/// from the seeded floats on each backend, so both see the same integers.
extension SelfTest {
    func distanceChecks() throws -> [Result] {
        var results: [Result] = []
        results.append(try check("row squared norms 1031x13", .reduction, inputs: [[1031, 13]], output: [1031]) {
            try $0.rowSquaredNorms($1[0], into: $2)
        })
        results.append(try check("squared distances 257x65 to 7", .product, inputs: [[257, 65], [7, 65]], output: [257, 7]) { b, x, out in
            try b.squaredDistances(points: x[0], pointNorms: norms(x[0], b), centers: x[1], into: out)
        })
        for (n, d, k) in [(257, 65, 10), (1000, 3, 33), (13, 1, 2)] {
            results.append(try check("nearest centroids \(n)x\(d), k \(k)", .product, tensors: [[n, d], [k, d]]) { b, x in
                let assignments = try b.zeros([n], elementType: .int32), distances = try b.zeros([n])
                try b.nearestCentroids(points: x[0], pointNorms: norms(x[0], b), centroids: x[1],
                                       assignments: assignments, distances: distances)
                return [try floats(assignments, b), distances]
            })
            results.append(try check("bounded nearest centroids \(n)x\(d), k \(k)", .product, tensors: [[n, d], [k, d]]) { b, x in
                let assignments = try b.zeros([n], elementType: .int32), upper = try b.zeros([n]), lower = try b.zeros([n])
                try b.fill(upper, with: .infinity)
                let zero = [Float](repeating: 0, count: k)
                try b.boundedNearestCentroids(points: x[0], pointNorms: norms(x[0], b), centroids: x[1], shifts: zero,
                                              halfSeparations: zero, assignments: assignments, upper: upper, lower: lower)
                return [try floats(assignments, b), upper, lower]
            })
            results.append(try check("cluster sums \(n)x\(d), k \(k)", .sum(ofRows: n), tensors: [[n, d], [n]]) { b, x in
                let sums = try b.zeros([k, d]), counts = try b.zeros([k])
                try b.clusterSums(points: x[0], assignments: labels(x[1], k + 1, b), into: sums, counts: counts)
                return [sums, counts]
            })
        }
        results.append(try check("one-hot 257, 5 classes at column 2 of 9", .exact, tensors: [[257], [257, 9]]) { b, x in
            try b.oneHot(labels(x[0], 5, b), classes: 5, into: x[1], columnOffset: 2)
            return [x[1]]
        })
        for (n, d, t, tiles) in [(300, 12, 9, 64), (127, 65, 3, 127), (7, 1, 2, 3)] {
            results.append(try check("silhouette sums \(n)x\(d), T \(t), tiles \(tiles)", .product, tensors: [[n, d], [n]]) { b, x in
                let memberships = try b.zeros([n, t]), sums = try b.zeros([n, t])
                try b.oneHot(labels(x[1], t, b), classes: t, into: memberships, columnOffset: 0)
                try b.silhouetteSums(points: x[0], pointNorms: norms(x[0], b), memberships: memberships, into: sums, blockRows: tiles)
                return [sums]
            })
        }
        results += try neighborChecks()
        return results
    }

    /// `kNearest` on queries that are every point, a middle block of them, or the largest k: the
    /// indices must agree exactly (from the same seeded points, both backends' float32 distances
    /// order the neighbours alike), the distances to rounding, compared squared: a query's
    /// distance to itself is the square root of rounding noise (about 1e-3 here), which a
    /// tolerance on the distances would have to be loose everywhere to cover.
    private func neighborChecks() throws -> [Result] {
        var results: [Result] = []
        let cases: [(n: Int, d: Int, rows: Range<Int>, k: Int, selfOffset: Int?)] = [
            (1000, 65, 300..<557, 15, 300), (1000, 3, 0..<1000, 5, 0), (257, 32, 0..<257, 14, nil),
            (65, 7, 0..<65, 64, 0), (7, 1, 0..<7, 6, 0),
        ]
        for c in cases {
            // Short enough for `signet selftest`'s 44-character column.
            let shape = "\(c.rows.count) of \(c.n)x\(c.d), k \(c.k)" + (c.selfOffset == nil ? "" : ", no self")
            for part in ["indices", "dist^2"] {
                results.append(try check("k-NN \(part) \(shape)", part == "indices" ? .exact : .product, tensors: [[c.n, c.d]]) { b, x in
                    let values = try b.read(x[0])
                    let queries = try b.upload(Array(values[c.rows.lowerBound * c.d..<c.rows.upperBound * c.d]), shape: [c.rows.count, c.d])
                    let indices = try b.zeros([c.rows.count, c.k], elementType: .int32), distances = try b.zeros([c.rows.count, c.k])
                    try b.kNearest(queries: queries, queryNorms: norms(queries, b), points: x[0], pointNorms: norms(x[0], b), k: c.k,
                                   selfOffset: c.selfOffset, indices: indices, distances: distances)
                    guard part != "indices" else { return [try floats(indices, b)] }
                    try b.multiply(distances, distances, into: distances)
                    return [distances]
                })
            }
        }
        return results
    }

    private func norms(_ points: Tensor, _ b: any Backend) throws -> Tensor {
        let norms = try b.zeros([points.rows])
        try b.rowSquaredNorms(points, into: norms)
        return norms
    }

    /// Int32 labels in `0..<classes` from values in [-1, 1).
    private func labels(_ values: Tensor, _ classes: Int, _ b: any Backend) throws -> Tensor {
        try b.uploadIntegers(try b.read(values).map { Int32(min(classes - 1, Int(($0 + 1) / 2 * Float(classes)))) }, shape: [values.count])
    }

    /// An int32 tensor's values as floats, to compare with the others.
    private func floats(_ integers: Tensor, _ b: any Backend) throws -> Tensor {
        try b.upload(try b.readIntegers(integers).map(Float.init), shape: integers.shape)
    }
}
