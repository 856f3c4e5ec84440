/// The nearest and second nearest of 16 rows of 16 distances at once: a reduction tree whose
/// every step serves all 16 rows, so the result is three vectors with one lane per row.
///
/// Why not a row at a time: a row's minimum by halving takes four dependent steps on ever
/// narrower vectors, then scalar compares to merge it into the row's running best, and the
/// K-means assignment spent more on those than on its distances (Swift 6.3 builds
/// `SIMD16.min()` lane by lane, and the halvings' masks on narrow vectors as calls). Here each
/// step splits pairs of vectors into their even and odd lanes (`SIMD32.evenHalf` / `oddHalf`,
/// vector shuffles) and keeps the smaller of each pair: 15 merges for 16 rows where a row at a
/// time took 64 halvings. Only compares whose mask feeds a `replacing` at once are used: those
/// compile to vector compares and blends.
///
/// The even side of every split holds the lower centroid indices and keeps a tie, so ties go to
/// the lowest index, as scikit-learn's argmin.
public struct SixteenRowMinima {
    /// Per row (lane `r` for row `r`): the smallest distance, the second smallest (equal to it
    /// when two centroids tie), and the index of the smallest.
    public var best: SIMD16<Float>
    public var second: SIMD16<Float>
    public var index: SIMD16<Int32>

    /// Nothing seen yet: every row at +infinity, index 0.
    @inlinable @inline(__always)
    public init() {
        best = SIMD16(repeating: .infinity)
        second = SIMD16(repeating: .infinity)
        index = SIMD16(repeating: 0)
    }

    @inlinable @inline(__always)
    init(best: SIMD16<Float>, second: SIMD16<Float>, index: SIMD16<Int32>) {
        self.best = best
        self.second = second
        self.index = index
    }

    /// Folds in the 16 rows `rows[0 ..< 16]` of distances to the centroids
    /// `firstCentroid ..< firstCentroid + 16` (lane `c` of row `r`: row `r`'s distance to centroid
    /// `firstCentroid + c`), which come after every centroid folded in before.
    /// - Parameter scratch: room for 16 vectors of distances and 8 of indices.
    @inlinable @inline(__always)
    public mutating func merge(_ rows: UnsafePointer<SIMD16<Float>>, firstCentroid: Int32,
                               scratch: UnsafeMutablePointer<SIMD16<Float>>, indexScratch: UnsafeMutablePointer<SIMD16<Int32>>) {
        let best = scratch, second = scratch + 8, index = indexScratch
        // Level 1: pairs of centroids (2q, 2q + 1), rows 2j and 2j + 1 in vector j.
        let even = SIMD16<Int32>(0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14) &+ firstCentroid
        let odd = even &+ 1
        for j in 0..<8 {
            let joined = SIMD32(lowHalf: rows[2 * j], highHalf: rows[2 * j + 1])
            let a = joined.evenHalf, b = joined.oddHalf, take = b .< a
            best[j] = a.replacing(with: b, where: take)
            second[j] = b.replacing(with: a, where: take)
            index[j] = even.replacing(with: odd, where: take)
        }
        // Levels 2 to 4: each halves the vectors and doubles the centroids a lane stands for.
        var width = 8
        while width > 1 {
            for j in 0..<width / 2 {
                let low = Self.split(best[2 * j], best[2 * j + 1], second[2 * j], second[2 * j + 1],
                                     index[2 * j], index[2 * j + 1])
                best[j] = low.best
                second[j] = low.second
                index[j] = low.index
            }
            width /= 2
        }
        self = Self.merged(self, Self(best: best[0], second: second[0], index: index[0]))
    }

    /// The even lanes of `(x0, x1)` merged with their odd lanes, for each of the three vectors.
    @inlinable @inline(__always)
    static func split(_ b0: SIMD16<Float>, _ b1: SIMD16<Float>, _ s0: SIMD16<Float>, _ s1: SIMD16<Float>,
                      _ i0: SIMD16<Int32>, _ i1: SIMD16<Int32>) -> Self {
        let b = SIMD32(lowHalf: b0, highHalf: b1), s = SIMD32(lowHalf: s0, highHalf: s1), i = SIMD32(lowHalf: i0, highHalf: i1)
        return merged(Self(best: b.evenHalf, second: s.evenHalf, index: i.evenHalf),
                      Self(best: b.oddHalf, second: s.oddHalf, index: i.oddHalf))
    }

    /// Two candidates per lane merged, `low` holding the lower centroid indices: it keeps a tie.
    @inlinable @inline(__always)
    static func merged(_ low: Self, _ high: Self) -> Self {
        let take = high.best .< low.best
        let loser = high.best.replacing(with: low.best, where: take)
        let seconds = low.second.replacing(with: high.second, where: high.second .< low.second)
        return Self(best: low.best.replacing(with: high.best, where: take),
                    second: seconds.replacing(with: loser, where: loser .< seconds),
                    index: low.index.replacing(with: high.index, where: take))
    }
}
