/// One query's neighbour list, `k` squared distances ascending with their point indices, as the
/// k-nearest-neighbour scans of the CPU backend keep it (the narrow loops of the Engine and the
/// AVX-512 ones of AVX512Loops share this one insertion, so both build the same lists).
public enum SortedNeighbors {
    /// Inserts each of 16 distances (points `firstPoint ..< firstPoint + 16`) that is strictly
    /// nearer than the list's k-th entry, in lane order, after every entry of equal distance, but
    /// for point `excluding`; NaN never enters (it is nearer than nothing).
    ///
    /// A call, never inlined: once the lists fill, the scans rarely need it, and inlined it made
    /// their loops too large to keep the accumulators in registers.
    @inline(never)
    public static func insert(_ distances: SIMD16<Float>, excluding: Int, firstPoint j0: Int, k: Int,
                              best: UnsafeMutablePointer<Float>, index: UnsafeMutablePointer<Int32>) {
        var kth = best[k - 1]
        for lane in 0..<16 where j0 + lane != excluding {
            let value = distances[lane]
            guard value < kth else { continue }
            var position = k - 1
            while position > 0 && best[position - 1] > value {
                best[position] = best[position - 1]
                index[position] = index[position - 1]
                position -= 1
            }
            best[position] = value
            index[position] = Int32(j0 + lane)
            kth = best[k - 1]
        }
    }

    /// Inserts each of 16 distances (points `firstPoint ..< firstPoint + 16`, but for point
    /// `excluding`) that ranks before the list's k-th entry by (distance, index), after every
    /// entry that ranks before it. Ranked so, a list ends the same whatever order its candidates
    /// came in: the one the in-order scans build with `insert`. NaN never enters.
    @inline(never)
    public static func insertRanked(_ distances: SIMD16<Float>, excluding: Int, firstPoint j0: Int, k: Int,
                                    best: UnsafeMutablePointer<Float>, index: UnsafeMutablePointer<Int32>) {
        for lane in 0..<16 where j0 + lane != excluding {
            insertRanked(distances[lane], point: Int32(truncatingIfNeeded: j0 + lane), k: k, best: best, index: index)
        }
    }

    /// `insertRanked` for one candidate: `point` at squared distance `value`.
    @inlinable @inline(__always)
    public static func insertRanked(_ value: Float, point: Int32, k: Int, best: UnsafeMutablePointer<Float>,
                                    index: UnsafeMutablePointer<Int32>) {
        guard value < best[k - 1] || (value == best[k - 1] && point < index[k - 1]) else { return }
        var position = k - 1
        while position > 0 && (best[position - 1] > value || (best[position - 1] == value && index[position - 1] > point)) {
            best[position] = best[position - 1]
            index[position] = index[position - 1]
            position -= 1
        }
        best[position] = value
        index[position] = point
    }

    /// Squared distances `(norm + pointNorms) - 2 gram`, clamped at 0 (NaN stays NaN, and `insert`
    /// never lets it in).
    ///
    /// The norms are added first, so the value does not depend on which of the two points is the
    /// query: the symmetric scan (`SymmetricNeighborMerge`) computes each distance once for both
    /// points' lists, and it must be the float the one-sided scans compute. An add then one fused
    /// multiply-add: `2 gram` is exact, so `fma(-2, gram, sum)` rounds as `sum - 2 gram` does,
    /// the order of operations of `neighbors.cl`.
    @inlinable @inline(__always)
    public static func distances(norm: Float, gram: SIMD16<Float>, pointNorms: SIMD16<Float>) -> SIMD16<Float> {
        var distances = SIMD16<Float>(repeating: norm) + pointNorms
        distances.addProduct(SIMD16(repeating: -2), gram)
        // `<=` makes a -0 (were one to arise) +0, so that every value compared as an integer is
        // a non-negative float or a NaN.
        let zero = SIMD16<Float>()
        return distances.replacing(with: zero, where: distances .<= zero)
    }

    /// Whether any lane of `a` or `b` (clamped distances from `distances`) may be nearer than
    /// `kth`: exact for every number, true for a NaN with its sign bit set (`insert` then
    /// rejects it), false for any other NaN.
    ///
    /// Compared as integers: a float that is not negative orders as its bit pattern, and Swift
    /// builds `SIMD16<Int32>.min()` as a vector reduction, where `SIMD16<Float>.min()` and
    /// `any(mask)` are sixteen scalar steps.
    @inlinable @inline(__always)
    public static func mayEnter(_ a: SIMD16<Float>, _ b: SIMD16<Float>, kth: Float) -> Bool {
        let x = unsafeBitCast(a, to: SIMD16<Int32>.self), y = unsafeBitCast(b, to: SIMD16<Int32>.self)
        return x.replacing(with: y, where: y .< x).min() < Int32(bitPattern: kth.bitPattern)
    }

    /// `mayEnter` for one vector.
    @inlinable @inline(__always)
    public static func mayEnter(_ a: SIMD16<Float>, kth: Float) -> Bool {
        unsafeBitCast(a, to: SIMD16<Int32>.self).min() < Int32(bitPattern: kth.bitPattern)
    }
}
