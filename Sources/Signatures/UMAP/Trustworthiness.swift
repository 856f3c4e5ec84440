import Foundation
import SplitMix

/// How much an embedding keeps each point's neighbourhood: scikit-learn's `trustworthiness`,
/// `1 - 2 / (m k (2n - 3k - 1)) sum_i sum_{j in U_i} (r(i, j) - k)`, where `U_i` holds the `k`
/// nearest neighbours of point i in the embedding that are not among its `k` nearest in the
/// original space, and `r(i, j)` is j's rank by original distance from i (1 = nearest, i itself
/// left out, ties to the lower index). Over every point (m = n), or over a seeded sample of m
/// points with ranks among all n (`sampleSize`), as large maps are scored. Euclidean distances,
/// on the host, threaded over query points.
public enum Trustworthiness {
    /// - Parameters:
    ///   - original: `n x d` row-major; `embedding`: `n x e` row-major.
    ///   - sampleSize: score only this many points (drawn without replacement by `seed`), ranks among all.
    /// - Throws: `SignaturesError.invalidArgument` for k outside 1 ..< n / 2; `.sizeMismatch`.
    public static func score(original: [Float], dimensions d: Int, embedding: [Float], embeddingDimensions e: Int,
                             neighbors k: Int, sampleSize: Int? = nil, seed: UInt64 = 0) throws -> Double {
        guard d >= 1, e >= 1, original.count % d == 0, embedding.count % e == 0, original.count / d == embedding.count / e else {
            throw SignaturesError.sizeMismatch("\(original.count / max(d, 1)) original points and \(embedding.count / max(e, 1)) embedded ones")
        }
        let n = original.count / d
        guard k >= 1, Double(k) < Double(n) / 2 else {
            throw SignaturesError.invalidArgument("trustworthiness needs 1 <= k < n / 2, got k = \(k) for n = \(n)")
        }
        let queries = sampled(n, sampleSize: sampleSize, seed: seed)
        var penalties = [Double](repeating: 0, count: queries.count)
        original.withUnsafeBufferPointer { x in
            embedding.withUnsafeBufferPointer { y in
                penalties.withUnsafeMutableBufferPointer { out in
                    let x = UncheckedPointer(UnsafeMutablePointer(mutating: x.baseAddress!))
                    let y = UncheckedPointer(UnsafeMutablePointer(mutating: y.baseAddress!))
                    let out = UncheckedPointer(out.baseAddress!)
                    parallelRanges(queries.count) { range in
                        var rowX = [Float](repeating: 0, count: n), rowY = [Float](repeating: 0, count: n)
                        for q in range {
                            let i = queries[q]
                            squaredDistances(from: i, x.pointer, d, n, into: &rowX)
                            squaredDistances(from: i, y.pointer, e, n, into: &rowY)
                            out.pointer[q] = penalty(i, rowX, rowY, k: k)
                        }
                    }
                }
            }
        }
        let m = Double(queries.count), sum = penalties.reduce(0, +)
        return 1 - sum * 2 / (m * Double(k) * (2 * Double(n) - 3 * Double(k) - 1))
    }

    /// Every point, or `sampleSize` of them drawn without replacement by `seed`, ascending.
    static func sampled(_ n: Int, sampleSize: Int?, seed: UInt64) -> [Int] {
        guard let sampleSize, sampleSize < n else { return Array(0..<n) }
        var all = Array(0..<n), generator = SplitMix64(seed: seed)
        all.shuffle(using: &generator)
        return Array(all.prefix(max(sampleSize, 1))).sorted()
    }

    /// Squared distances from point `i` to every point (`+infinity` to itself), 16 coordinates
    /// at a time: summed in a fixed order, so a score never depends on the thread count.
    private static func squaredDistances(from i: Int, _ points: UnsafeMutablePointer<Float>, _ d: Int, _ n: Int, into row: inout [Float]) {
        let query = points + i * d
        let raw = UnsafeRawPointer(points), rawQuery = UnsafeRawPointer(query)
        row.withUnsafeMutableBufferPointer { row in
            for j in 0..<n {
                var lanes = SIMD16<Float>()
                var c = 0
                while c + 16 <= d {
                    let difference = rawQuery.loadUnaligned(fromByteOffset: c * 4, as: SIMD16<Float>.self)
                        - raw.loadUnaligned(fromByteOffset: (j * d + c) * 4, as: SIMD16<Float>.self)
                    lanes.addProduct(difference, difference)
                    c += 16
                }
                let eight = lanes.lowHalf + lanes.highHalf, four = eight.lowHalf + eight.highHalf, two = four.lowHalf + four.highHalf
                var sum = two[0] + two[1]
                let other = points + j * d
                while c < d {
                    let difference = query[c] - other[c]
                    sum += difference * difference
                    c += 1
                }
                row[j] = sum
            }
            row[i] = .infinity
        }
    }

    /// How many points are nearer than `j` in `distances` (point i's own entry is +infinity):
    /// those strictly nearer, and those as near with a lower index. Counted 16 at a time by
    /// compare-and-blend, the lanes' counts summed at the end (exact: counts stay below 2^24).
    private static func rank(of j: Int, among distances: UnsafeBufferPointer<Float>) -> Int {
        let reference = distances[j], n = distances.count
        let raw = UnsafeRawPointer(distances.baseAddress!)
        let bound = SIMD16<Float>(repeating: reference), one = SIMD16<Float>(repeating: 1)
        var counts = SIMD16<Float>()
        var l = 0
        // Below j: as near counts too; from j on, only strictly nearer (j itself is not).
        while l + 16 <= j {
            let values = raw.loadUnaligned(fromByteOffset: l * 4, as: SIMD16<Float>.self)
            counts += SIMD16<Float>().replacing(with: one, where: values .<= bound)
            l += 16
        }
        var scalar = 0
        while l < j {
            if distances[l] <= reference { scalar += 1 }
            l += 1
        }
        while l < n && l % 16 != 0 {
            if distances[l] < reference { scalar += 1 }
            l += 1
        }
        while l + 16 <= n {
            let values = raw.loadUnaligned(fromByteOffset: l * 4, as: SIMD16<Float>.self)
            counts += SIMD16<Float>().replacing(with: one, where: values .< bound)
            l += 16
        }
        while l < n {
            if distances[l] < reference { scalar += 1 }
            l += 1
        }
        let eight = counts.lowHalf + counts.highHalf, four = eight.lowHalf + eight.highHalf, two = four.lowHalf + four.highHalf
        return scalar + Int(two[0] + two[1])
    }

    /// `sum (r(i, j) - k)` over the embedding's k nearest j that are not the original's k nearest.
    private static func penalty(_ i: Int, _ original: [Float], _ embedded: [Float], k: Int) -> Double {
        // The embedding's k nearest (ties to the lower index).
        var nearest: [(distance: Float, index: Int)] = []
        for (j, distance) in embedded.enumerated() where j != i {
            if nearest.count < k || (distance, j) < (nearest[k - 1].distance, nearest[k - 1].index) {
                let position = nearest.firstIndex { (distance, j) < ($0.distance, $0.index) } ?? nearest.count
                nearest.insert((distance, j), at: position)
                if nearest.count > k { nearest.removeLast() }
            }
        }
        var total = 0.0
        original.withUnsafeBufferPointer { original in
            for (_, j) in nearest {
                let rank = 1 + Self.rank(of: j, among: original)
                if rank > k { total += Double(rank - k) }
            }
        }
        return total
    }
}
