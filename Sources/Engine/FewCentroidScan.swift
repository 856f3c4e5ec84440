/// The nearest and second nearest of a few centroids for listed points, by one dot product per
/// point and centroid (`VectorMath.dot`'s lanes along the coordinates), four points at a time
/// sharing each centroid's loads.
///
/// Why beside `HostPanelProducts.nearestTwo`: a panel product costs `d` 16-lane FMAs per point
/// whatever k is, so with k = 2 fourteen of its sixteen lanes are padding. Dots cost about
/// `k d / 16` FMAs and a lane sum per centroid, less for small k. Each distance is
/// `|x|^2 - 2 x.c + |c|^2` with `VectorMath.dot`'s x.c, so the bounded assignment and
/// `CPUBackend.nearestCentroids`, which both scan through here, give a point the same distances.
enum FewCentroidScan {
    /// The largest k scanned by dots rather than by the panel product: measured on the study's
    /// signatures (d = 32 and 64; `Benchmarks` `cluster-ratios`' per-k table). Since the
    /// bounded assignment scans every failing point, the panel is the faster at k = 8 (see
    /// Benchmarks/README.md, 2026-12-04).
    static let largestK = 7

    /// For each position `p < count`, the point `indices[p]` of `x` (rows of `d` values, squared
    /// norms `norms`): its nearest centroid of `k` (lowest index on ties) and the squared
    /// distances to it and to the second nearest (+infinity for k = 1), unclamped.
    @inline(__always)
    static func nearestTwo(_ x: UnsafePointer<Float>, indices: UnsafePointer<Int32>, count: Int, dimensions d: Int,
                           centroids: UnsafePointer<Float>, k: Int, norms: UnsafePointer<Float>,
                           centerNorms: UnsafePointer<Float>, nearest: UnsafeMutablePointer<Int32>,
                           best: UnsafeMutablePointer<Float>, second: UnsafeMutablePointer<Float>) {
        scan(x, rows: { Int(indices[$0]) }, count: count, dimensions: d, centroids: centroids, k: k, norms: norms,
             centerNorms: centerNorms, nearest: nearest, best: best, second: second)
    }

    /// `nearestTwo` for the rows `rows` of `x`, results per position (`nearest[0]` for row
    /// `rows.lowerBound`): `CPUBackend.nearestCentroids`' scan.
    @inline(__always)
    static func nearestTwo(_ x: UnsafePointer<Float>, rows: Range<Int>, dimensions d: Int,
                           centroids: UnsafePointer<Float>, k: Int, norms: UnsafePointer<Float>,
                           centerNorms: UnsafePointer<Float>, nearest: UnsafeMutablePointer<Int32>,
                           best: UnsafeMutablePointer<Float>, second: UnsafeMutablePointer<Float>) {
        let first = rows.lowerBound
        scan(x, rows: { first + $0 }, count: rows.count, dimensions: d, centroids: centroids, k: k, norms: norms,
             centerNorms: centerNorms, nearest: nearest, best: best, second: second)
    }

    /// The scan of the rows `rowAt(0) ..< rowAt(count)`.
    @inline(__always)
    private static func scan(_ x: UnsafePointer<Float>, rows rowAt: (Int) -> Int, count: Int, dimensions d: Int,
                             centroids: UnsafePointer<Float>, k: Int, norms: UnsafePointer<Float>,
                             centerNorms: UnsafePointer<Float>, nearest: UnsafeMutablePointer<Int32>,
                             best: UnsafeMutablePointer<Float>, second: UnsafeMutablePointer<Float>) {
        var p = 0
        while p + 4 <= count {
            let r0 = rowAt(p), r1 = rowAt(p + 1), r2 = rowAt(p + 2), r3 = rowAt(p + 3)
            var first = SIMD4<Float>(repeating: .infinity), next = SIMD4<Float>(repeating: .infinity)
            var index = SIMD4<Int32>(repeating: 0)
            let pointNorms = SIMD4(norms[r0], norms[r1], norms[r2], norms[r3])
            for c in 0..<k {
                let dots = VectorMath.dots(x + r0 * d, x + r1 * d, x + r2 * d, x + r3 * d, centroids + c * d, d)
                let squared = pointNorms - 2 * dots + SIMD4(repeating: centerNorms[c])
                // Strictly nearer replaces the nearest, so a tie keeps the lower index; it then
                // counts as the second nearest.
                let nearer = squared .< first
                next = next.replacing(with: first, where: nearer).replacing(with: squared, where: .!nearer .& (squared .< next))
                first = first.replacing(with: squared, where: nearer)
                index = index.replacing(with: Int32(truncatingIfNeeded: c), where: nearer)
            }
            for lane in 0..<4 {
                nearest[p + lane] = index[lane]
                best[p + lane] = first[lane]
                second[p + lane] = next[lane]
            }
            p += 4
        }
        while p < count {
            let row = rowAt(p)
            var first = Float.infinity, next = Float.infinity, index: Int32 = 0
            for c in 0..<k {
                let squared = norms[row] - 2 * VectorMath.dot(x + row * d, centroids + c * d, d) + centerNorms[c]
                if squared < first {
                    next = first
                    first = squared
                    index = Int32(truncatingIfNeeded: c)
                } else if squared < next {
                    next = squared
                }
            }
            nearest[p] = index
            best[p] = first
            second[p] = next
            p += 1
        }
    }
}
