/// Euclidean distances from Gram values, with the formula's cancellation repaired.
///
/// `||p - q||^2 = ||p||^2 + ||q||^2 - 2 p.q` costs one GEMM for a whole tile, but in float32 it
/// loses the distance of two close points to rounding: the error is about `eps (||p||^2 + ||q||^2)`,
/// so two identical standardized 64-unit signatures (norms ~64) come out ~2e-3 apart instead of
/// 0. Wherever the formula gives less than `recomputeBelow` of the norms' sum, the distance is
/// recomputed from the differences. Pairs that far below their norms are near neighbours, a small
/// share of all pairs, and everywhere else the formula's relative error stays under ~1e-5.
/// scikit-learn avoids the problem by computing float32 distances in float64.
enum DistanceFromGram {
    /// The share of `||p||^2 + ||q||^2` under which a squared distance is recomputed exactly.
    static let recomputeBelow: Float = 1.0 / 32

    /// Overwrites `row[j]` (the Gram value `p . q_j`) with `||p - q_j||` for `j < count`.
    /// - Parameters:
    ///   - point: `p`, `dimensions` values; `columns`: the first `q`, rows of `dimensions` values.
    @inline(__always)
    static func distances(_ row: UnsafeMutablePointer<Float>, point: UnsafePointer<Float>, pointNorm: Float,
                          columns: UnsafePointer<Float>, columnNorms: UnsafePointer<Float>,
                          count: Int, dimensions d: Int) {
        let raw = UnsafeMutableRawPointer(row), rawNorms = UnsafeRawPointer(columnNorms)
        var j = 0
        while j + 16 <= count {
            let norms = SIMD16(repeating: pointNorm) + rawNorms.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            var squared = norms - 2 * raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            let cancelled = squared .< norms * recomputeBelow
            if any(cancelled) {
                for lane in 0..<16 where cancelled[lane] {
                    squared[lane] = VectorMath.squaredDistance(point, columns + (j + lane) * d, d)
                }
            }
            raw.storeBytes(of: squared.replacing(with: 0, where: squared .< 0).squareRoot(), toByteOffset: j * 4, as: SIMD16<Float>.self)
            j += 16
        }
        while j < count {
            let norms = pointNorm + columnNorms[j]
            var squared = norms - 2 * row[j]
            if squared < norms * recomputeBelow {
                squared = VectorMath.squaredDistance(point, columns + j * d, d)
            }
            row[j] = max(squared, 0).squareRoot()
            j += 1
        }
    }
}
