import Foundation

/// umap-learn's fuzzy simplicial set of a k-nearest-neighbour graph: each point's distances to its
/// neighbours become memberships `exp(-(d - rho) / sigma)`, with `rho` the distance to its nearest
/// neighbour (local connectivity 1) and `sigma` found by binary search so that the memberships sum
/// to log2(k); the directed graph is then symmetrized by fuzzy union, `a + b - a b`
/// (set_op_mix_ratio 1). Runs on the host, threaded per point: 64 bisection steps over k values
/// is little work, and the sparse union is a sort.
enum FuzzySimplicialSet {
    static let tolerance = 1e-5
    static let minimumScale = 1e-3

    /// Per point its `rho` and `sigma` (umap-learn's `smooth_knn_dist`). `distances` holds k values
    /// per point, the first the point itself (0), as umap-learn's neighbour lists do.
    static func smoothDistances(_ distances: [Float], k: Int) -> (rho: [Double], sigma: [Double]) {
        let n = distances.count / k
        let target = log2(Double(k))
        let meanAll = distances.reduce(0.0) { $0 + Double($1) } / Double(max(distances.count, 1))
        var rho = [Double](repeating: 0, count: n), sigma = [Double](repeating: 0, count: n)
        rho.withUnsafeMutableBufferPointer { rhoBuffer in
            sigma.withUnsafeMutableBufferPointer { sigmaBuffer in
                let rhoOut = UncheckedPointer(rhoBuffer.baseAddress!), sigmaOut = UncheckedPointer(sigmaBuffer.baseAddress!)
                distances.withUnsafeBufferPointer { all in
                    let base = UncheckedPointer(UnsafeMutablePointer(mutating: all.baseAddress!))
                    parallelRanges(n) { range in
                        for i in range {
                            let row = UnsafeBufferPointer(start: base.pointer + i * k, count: k)
                            // The nearest positive distance (local connectivity 1).
                            let positive = row.first { $0 > 0 }
                            let r = Double(positive ?? 0)
                            var low = 0.0, high = Double.infinity, middle = 1.0
                            for _ in 0..<64 {
                                var sum = 0.0
                                for j in 1..<k {
                                    let d = Double(row[j]) - r
                                    sum += d > 0 ? exp(-(d / middle)) : 1
                                }
                                if abs(sum - target) < tolerance { break }
                                if sum > target {
                                    high = middle
                                    middle = (low + high) / 2
                                } else {
                                    low = middle
                                    middle = high == .infinity ? middle * 2 : (low + high) / 2
                                }
                            }
                            let meanRow = row.reduce(0.0) { $0 + Double($1) } / Double(k)
                            let floor = minimumScale * (r > 0 ? meanRow : meanAll)
                            rhoOut.pointer[i] = r
                            sigmaOut.pointer[i] = max(middle, floor)
                        }
                    }
                }
            }
        }
        return (rho, sigma)
    }

    /// The symmetric membership graph of the neighbour lists (`indices`/`distances`, k per point,
    /// the first the point itself), as umap-learn's `fuzzy_simplicial_set`.
    static func graph(indices: [Int32], distances: [Float], k: Int) -> SparseGraph {
        let n = indices.count / k
        let (rho, sigma) = smoothDistances(distances, k: k)
        // Each directed membership i -> j goes to row i (as i's of j) and to row j (as j's of i,
        // transposed): bucketed by row, then each short row sorted by column and merged.
        var counts = [Int](repeating: 0, count: n + 1)
        var directed = [Float](repeating: 0, count: n * k)
        for i in 0..<n {
            for position in 0..<k {
                let j = Int(indices[i * k + position])
                guard j >= 0, j < n, j != i else { continue }
                let d = Double(distances[i * k + position]) - rho[i]
                let weight = Float(d <= 0 || sigma[i] == 0 ? 1 : exp(-(d / sigma[i])))
                guard weight > 0 else { continue }
                directed[i * k + position] = weight
                counts[i + 1] += 1
                counts[j + 1] += 1
            }
        }
        for i in 0..<n { counts[i + 1] += counts[i] }
        var fill = Array(counts.dropLast())
        var bucket = [(column: Int32, weight: Float)](repeating: (0, 0), count: counts[n])
        for i in 0..<n {
            for position in 0..<k where directed[i * k + position] > 0 {
                let j = Int(indices[i * k + position]), weight = directed[i * k + position]
                bucket[fill[i]] = (Int32(j), weight)
                fill[i] += 1
                bucket[fill[j]] = (Int32(i), weight)
                fill[j] += 1
            }
        }
        var rowStart = [Int](repeating: 0, count: n + 1), columns: [Int32] = [], weights: [Float] = []
        columns.reserveCapacity(bucket.count)
        weights.reserveCapacity(bucket.count)
        for i in 0..<n {
            let row = bucket[counts[i]..<counts[i + 1]].sorted { $0.column < $1.column }
            var position = row.startIndex
            while position < row.endIndex {
                // At most two per column: i's membership of j and j's of i; their fuzzy union.
                let a = Double(row[position].weight)
                var b = 0.0
                if position + 1 < row.endIndex, row[position + 1].column == row[position].column {
                    b = Double(row[position + 1].weight)
                    position += 1
                }
                columns.append(row[position].column)
                weights.append(Float(a + b - a * b))
                position += 1
            }
            rowStart[i + 1] = columns.count
        }
        return SparseGraph(vertices: n, rowStart: rowStart, columns: columns, weights: weights)

    }
}
