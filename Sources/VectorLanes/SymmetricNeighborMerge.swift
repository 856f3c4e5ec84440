/// The merge step of the CPU backend's symmetric k-nearest-neighbour scan, where the queries are
/// the points themselves: the Gram values of a few rows of block I against every point of block
/// J serve twice, each row's distances entering the row's own list and, read down the columns,
/// each point of J's. Half the products of scanning every point against every other.
///
/// Candidates then reach a list out of index order (a point of J hears from block I when the
/// pair (I, J) comes up), so lists are kept ranked by (distance, index)
/// (`SortedNeighbors.insertRanked`), which ends with the lists the in-order scans build, and the
/// distance formula is symmetric in the two norms (`SortedNeighbors.distances`), so both sides
/// see one float. Inlined into both builds of the host loops (AVX512Loops and the Engine).
public enum SymmetricNeighborMerge {
    /// Merges the Gram values of rows `firstRow ..< firstRow + rows` against the packed points
    /// `firstColumn ..< firstColumn + 16 groups` into the lists of both.
    /// - Parameters:
    ///   - gram: `rows` lines of `groups * 16` values (line stride `ldGram`): row `r` against
    ///     column `c` at `gram[r * ldGram + c]`.
    ///   - norms: the squared norms of all the points (indexed by point).
    ///   - columnNorms: the `groups * 16` squared norms of the columns, `+infinity` past the last.
    ///   - diagonal: the rows are the columns (block I is J): only the rows' side is merged, and
    ///     each row leaves itself out.
    ///   - best: `k` squared distances per point, ascending by (distance, index); updated.
    ///   - index: the points of `best`, updated alongside.
    ///   - kth: each point's k-th squared distance (`best[j * k + k - 1]`), kept up to date, and
    ///     `-infinity` for the padding past the last point, which then never takes a candidate.
    @inlinable @inline(__always)
    public static func merge(gram: UnsafePointer<Float>, ldGram: Int, rows: Int, firstRow: Int, norms: UnsafePointer<Float>,
                             groups: Int, firstColumn: Int, columnNorms: UnsafePointer<Float>, diagonal: Bool, k: Int,
                             best: UnsafeMutablePointer<Float>, index: UnsafeMutablePointer<Int32>,
                             kth: UnsafeMutablePointer<Float>) {
        let rawColumnNorms = UnsafeRawPointer(columnNorms)
        for r in 0..<rows {
            let i = firstRow + r, norm = norms[i]
            let line = UnsafeRawPointer(gram + r * ldGram)
            for g in 0..<groups {
                let j0 = firstColumn + g * 16
                let values = SortedNeighbors.distances(norm: norm, gram: line.loadUnaligned(fromByteOffset: g * 64, as: SIMD16<Float>.self),
                                                       pointNorms: rawColumnNorms.loadUnaligned(fromByteOffset: g * 64, as: SIMD16<Float>.self))
                // Compared as integers, as `SortedNeighbors.mayEnter`: `kth - value >= 0` where a
                // clamped distance may enter (ties too: they rank by index), never past the last
                // point (kth -infinity); a NaN with its sign bit set passes and `insertRanked`
                // rejects it.
                let bits = unsafeBitCast(values, to: SIMD16<Int32>.self)
                let rowRoom = SIMD16(repeating: Int32(bitPattern: kth[i].bitPattern)) &- bits
                if diagonal {
                    guard rowRoom.max() >= 0 else { continue }
                    SortedNeighbors.insertRanked(values, excluding: i, firstPoint: j0, k: k, best: best + i * k, index: index + i * k)
                    kth[i] = best[i * k + k - 1]
                    continue
                }
                let columnRoom = UnsafeRawPointer(kth + j0).loadUnaligned(as: SIMD16<Int32>.self) &- bits
                guard rowRoom.replacing(with: columnRoom, where: columnRoom .> rowRoom).max() >= 0 else { continue }
                if rowRoom.max() >= 0 {
                    SortedNeighbors.insertRanked(values, excluding: -1, firstPoint: j0, k: k, best: best + i * k, index: index + i * k)
                    kth[i] = best[i * k + k - 1]
                }
                if columnRoom.max() >= 0 { mergeColumns(values, columnRoom, row: i, firstColumn: j0, k: k, best: best, index: index, kth: kth) }
            }
        }
    }

    /// Row `row`'s distances into the lists of the columns with room: a call, as the rows' own
    /// insertion, so that the loop above stays small.
    @inline(never) @usableFromInline
    static func mergeColumns(_ values: SIMD16<Float>, _ room: SIMD16<Int32>, row: Int, firstColumn j0: Int, k: Int,
                             best: UnsafeMutablePointer<Float>, index: UnsafeMutablePointer<Int32>,
                             kth: UnsafeMutablePointer<Float>) {
        for lane in 0..<16 where room[lane] >= 0 {
            let j = j0 + lane
            SortedNeighbors.insertRanked(values[lane], point: Int32(truncatingIfNeeded: row), k: k, best: best + j * k,
                                         index: index + j * k)
            kth[j] = best[j * k + k - 1]
        }
    }
}
