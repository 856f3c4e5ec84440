import VectorLanes

/// The CPU backend's k-nearest-neighbour scan for processors with AVX-512: four query rows
/// against two packed groups of 16 points at a time, eight 512-bit accumulators per panel step.
///
/// Why a module of its own: a release build compiles it for AVX-512 (`-target-cpu
/// skylake-avx512`), where a 16-wide vector is one register, and the Engine calls it only after
/// checking the processor (`HostProcessor`). Built for AVX2 like the rest of the Engine, the
/// same 4 x 16 products ran at half the speed of PoCL's AVX-512 build of `neighbors.cl`: four
/// accumulator chains are too few to hide the latency of 512-bit fused multiply-adds, so this
/// loop keeps eight.
///
/// Every product is one chain of fused multiply-adds over the dimensions in order, from 0, and
/// points enter each list in index order: the same values and the same lists as the Engine's
/// narrow scan (`HostPanelProducts.mergeNearest`) and the OpenCL kernels.
public enum WideNeighborScan {
    static let lanes = 16

    /// Merges the points of one packed tile into the neighbour lists of rows `rows` of `x`.
    /// - Parameters:
    ///   - x: the queries, `d` values a row.
    ///   - norms: the squared norms of the rows of `x`.
    ///   - panel: the tile's points packed in groups of 16, dimension by dimension
    ///     (`panel[(g * d + p) * 16 + l]` is coordinate `p` of point `16 g + l`).
    ///   - groups: the groups in `panel`.
    ///   - laneNorms: `groups * 16` squared norms of the tile's points, `+infinity` past its last.
    ///   - firstPoint: the index of the tile's first point among all the points.
    ///   - selfOffset: row `i` of `x` is point `selfOffset + i`, left out of its own list; nil
    ///     leaves nothing out.
    ///   - best: `k` squared distances per row of `x` (row `i` at `i * k`), ascending; updated.
    ///   - index: the points of `best`, updated alongside.
    public static func mergeNearest(_ x: UnsafePointer<Float>, rows: Range<Int>, dimensions d: Int, norms: UnsafePointer<Float>,
                                    panel: UnsafePointer<Float>, groups: Int, laneNorms: UnsafePointer<Float>,
                                    firstPoint: Int, selfOffset: Int?, k: Int,
                                    best: UnsafeMutablePointer<Float>, index: UnsafeMutablePointer<Int32>) {
        let rawNorms = UnsafeRawPointer(laneNorms)
        var i = rows.lowerBound
        while i < rows.upperBound {
            let (count, x0, x1, x2, x3) = quadRows(x, from: i, of: rows, dimensions: d)
            var g = 0
            while g < groups {
                // An odd last group is computed twice and merged once.
                let paired = g + 1 < groups
                let products = octet(x0, x1, x2, x3, panel + g * d * lanes, panel + (paired ? g + 1 : g) * d * lanes, d)
                let c0 = rawNorms.loadUnaligned(fromByteOffset: g * lanes * 4, as: SIMD16<Float>.self)
                let c1 = paired ? rawNorms.loadUnaligned(fromByteOffset: (g + 1) * lanes * 4, as: SIMD16<Float>.self)
                    : SIMD16(repeating: .infinity)
                let j0 = firstPoint + g * lanes
                let pair = Pair(norms: c0, c1, firstPoint: j0, selfOffset: selfOffset, k: k, best: best, index: index)
                pair.merge(products.0, products.1, row: i, norm: norms[i])
                if count > 1 { pair.merge(products.2, products.3, row: i + 1, norm: norms[i + 1]) }
                if count > 2 { pair.merge(products.4, products.5, row: i + 2, norm: norms[i + 2]) }
                if count > 3 { pair.merge(products.6, products.7, row: i + 3, norm: norms[i + 3]) }
                g += 2
            }
            i += 4
        }
    }

    /// One step of the symmetric scan: rows `rows` of `x` (block I) against the packed points of
    /// block J (the first of them point `firstColumn`), four rows at a time, each quad's Gram
    /// values merged into the rows' lists and the columns' (`SymmetricNeighborMerge`; with
    /// `diagonal`, I is J and only the rows' side is merged).
    public static func mergeSymmetric(_ x: UnsafePointer<Float>, rows: Range<Int>, dimensions d: Int, norms: UnsafePointer<Float>,
                                      panel: UnsafePointer<Float>, groups: Int, laneNorms: UnsafePointer<Float>,
                                      firstColumn: Int, diagonal: Bool, k: Int, best: UnsafeMutablePointer<Float>,
                                      index: UnsafeMutablePointer<Int32>, kth: UnsafeMutablePointer<Float>) {
        let width = groups * lanes
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(4 * width, 1)) { buffer in
            let quadGram = buffer.baseAddress!
            var i = rows.lowerBound
            while i < rows.upperBound {
                let (count, x0, x1, x2, x3) = quadRows(x, from: i, of: rows, dimensions: d)
                var g = 0
                while g < groups {
                    // An odd last group is computed twice and stored once.
                    let paired = g + 1 < groups
                    let products = octet(x0, x1, x2, x3, panel + g * d * lanes, panel + (paired ? g + 1 : g) * d * lanes, d)
                    let first = UnsafeMutableRawPointer(quadGram + g * lanes), line = width * 4
                    first.storeBytes(of: products.0, as: SIMD16<Float>.self)
                    first.storeBytes(of: products.2, toByteOffset: line, as: SIMD16<Float>.self)
                    first.storeBytes(of: products.4, toByteOffset: 2 * line, as: SIMD16<Float>.self)
                    first.storeBytes(of: products.6, toByteOffset: 3 * line, as: SIMD16<Float>.self)
                    if paired {
                        let second = first + lanes * 4
                        second.storeBytes(of: products.1, as: SIMD16<Float>.self)
                        second.storeBytes(of: products.3, toByteOffset: line, as: SIMD16<Float>.self)
                        second.storeBytes(of: products.5, toByteOffset: 2 * line, as: SIMD16<Float>.self)
                        second.storeBytes(of: products.7, toByteOffset: 3 * line, as: SIMD16<Float>.self)
                    }
                    g += 2
                }
                SymmetricNeighborMerge.merge(gram: quadGram, ldGram: width, rows: count, firstRow: i, norms: norms, groups: groups,
                                             firstColumn: firstColumn, columnNorms: laneNorms, diagonal: diagonal, k: k,
                                             best: best, index: index, kth: kth)
                i += 4
            }
        }
    }

    /// Row `i` of `x` and the three after it, with how many of the four are in `rows`: rows
    /// past the end repeat the last one, and nothing is merged for them.
    @inline(__always)
    static func quadRows(_ x: UnsafePointer<Float>, from i: Int, of rows: Range<Int>, dimensions d: Int)
        -> (count: Int, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>) {
        let last = rows.upperBound - 1
        return (min(4, rows.upperBound - i), x + i * d, x + min(i + 1, last) * d, x + min(i + 2, last) * d, x + min(i + 3, last) * d)
    }

    /// The Gram values of four rows against two groups of 16 points: row r's against the first
    /// group at `2 r`, against the second at `2 r + 1`.
    @inline(__always)
    static func octet(_ x0: UnsafePointer<Float>, _ x1: UnsafePointer<Float>, _ x2: UnsafePointer<Float>,
                      _ x3: UnsafePointer<Float>, _ group0: UnsafePointer<Float>, _ group1: UnsafePointer<Float>, _ d: Int)
        -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) {
        var a0 = SIMD16<Float>(), b0 = SIMD16<Float>(), a1 = SIMD16<Float>(), b1 = SIMD16<Float>()
        var a2 = SIMD16<Float>(), b2 = SIMD16<Float>(), a3 = SIMD16<Float>(), b3 = SIMD16<Float>()
        let block0 = UnsafeRawPointer(group0), block1 = UnsafeRawPointer(group1)
        for p in 0..<d {
            let y0 = block0.loadUnaligned(fromByteOffset: p * lanes * 4, as: SIMD16<Float>.self)
            let y1 = block1.loadUnaligned(fromByteOffset: p * lanes * 4, as: SIMD16<Float>.self)
            let s0 = SIMD16(repeating: x0[p]), s1 = SIMD16(repeating: x1[p])
            let s2 = SIMD16(repeating: x2[p]), s3 = SIMD16(repeating: x3[p])
            a0.addProduct(s0, y0); b0.addProduct(s0, y1)
            a1.addProduct(s1, y0); b1.addProduct(s1, y1)
            a2.addProduct(s2, y0); b2.addProduct(s2, y1)
            a3.addProduct(s3, y0); b3.addProduct(s3, y1)
        }
        return (a0, b0, a1, b1, a2, b2, a3, b3)
    }

    /// Two consecutive groups of 16 points, merged into one row's list at a time.
    struct Pair {
        let norms: SIMD16<Float>, norms1: SIMD16<Float>
        let firstPoint: Int, selfOffset: Int?, k: Int
        let best: UnsafeMutablePointer<Float>, index: UnsafeMutablePointer<Int32>

        @inline(__always)
        init(norms: SIMD16<Float>, _ norms1: SIMD16<Float>, firstPoint: Int, selfOffset: Int?, k: Int,
             best: UnsafeMutablePointer<Float>, index: UnsafeMutablePointer<Int32>) {
            self.norms = norms
            self.norms1 = norms1
            self.firstPoint = firstPoint
            self.selfOffset = selfOffset
            self.k = k
            self.best = best
            self.index = index
        }

        /// Row `row`'s distances to both groups; inlined, only the test whether any is nearer than
        /// its k-th entry (one lane minimum over both), the insertions are calls.
        @inline(__always)
        func merge(_ gram0: SIMD16<Float>, _ gram1: SIMD16<Float>, row: Int, norm: Float) {
            let d0 = SortedNeighbors.distances(norm: norm, gram: gram0, pointNorms: norms)
            let d1 = SortedNeighbors.distances(norm: norm, gram: gram1, pointNorms: norms1)
            let kth = best[row * k + k - 1]
            guard SortedNeighbors.mayEnter(d0, d1, kth: kth) else { return }
            let excluding = selfOffset.map { $0 + row } ?? -1
            let rowBest = best + row * k, rowIndex = index + row * k
            if SortedNeighbors.mayEnter(d0, kth: kth) {
                SortedNeighbors.insert(d0, excluding: excluding, firstPoint: firstPoint, k: k, best: rowBest, index: rowIndex)
            }
            if SortedNeighbors.mayEnter(d1, kth: rowBest[k - 1]) {
                SortedNeighbors.insert(d1, excluding: excluding, firstPoint: firstPoint + WideNeighborScan.lanes, k: k,
                                       best: rowBest, index: rowIndex)
            }
        }
    }
}
