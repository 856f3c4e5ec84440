import VectorLanes

/// The CPU backend's own small matrix products for the distance operations, in SIMD: a Gram
/// block `x . y_j` for rows of y packed into 16-wide panels, and an accumulating product
/// `c += a . b` with `b` 16-column aligned.
///
/// Why not OpenBLAS: Debian's OpenBLAS 0.3.21 does not know recent Intel cores and falls back to
/// its SSE3 "Prescott" kernels there (the silhouette pass ran at 18 GFLOP/s on a Sapphire Rapids
/// through it); these loops run at AVX2 speed wherever the Engine is built for it. Every value
/// is summed over the inner dimension in order, so results do not depend on the thread count.
enum HostPanelProducts {
    /// Lanes per panel column group.
    static let lanes = 16

    /// Packs `count` rows of `y` (each `d` values, row stride `d`) into panels of 16 rows:
    /// `panel[(g * d + p) * 16 + l] = y[(16 g + l) * d + p]`, zero past the last row.
    /// - Returns: the panel (`groups * d * 16` values); the caller deallocates it.
    static func pack(_ y: UnsafePointer<Float>, rows count: Int, dimensions d: Int) -> UnsafeMutablePointer<Float> {
        let groups = (count + lanes - 1) / lanes
        let panel = UnsafeMutablePointer<Float>.allocate(capacity: max(groups * d * lanes, 1))
        panel.initialize(repeating: 0, count: max(groups * d * lanes, 1))
        for row in 0..<count {
            let g = row / lanes, l = row % lanes
            for p in 0..<d { panel[(g * d + p) * lanes + l] = y[row * d + p] }
        }
        return panel
    }

    /// `out[i * ldOut + j] = x_i . y_j` for rows `rows` of `x` (stride `d`) and the `count` rows
    /// of `y` packed in `panel`; `out` row `i` starts at `out + (i - rows.lowerBound) * ldOut`.
    @inline(__always)
    static func gram(_ x: UnsafePointer<Float>, rows: Range<Int>, dimensions d: Int, panel: UnsafePointer<Float>,
                     count: Int, into out: UnsafeMutablePointer<Float>, ldOut: Int) {
        let groups = (count + lanes - 1) / lanes
        var i = rows.lowerBound
        // Four rows at a time: four independent accumulator chains per panel load.
        while i + 4 <= rows.upperBound {
            let x0 = x + i * d, x1 = x0 + d, x2 = x1 + d, x3 = x2 + d
            for g in 0..<groups {
                let (a0, a1, a2, a3) = quad(x0, x1, x2, x3, group: panel + g * d * lanes, dimensions: d)
                let width = min(lanes, count - g * lanes), row = out + (i - rows.lowerBound) * ldOut + g * lanes
                store(a0, row, width)
                store(a1, row + ldOut, width)
                store(a2, row + 2 * ldOut, width)
                store(a3, row + 3 * ldOut, width)
            }
            i += 4
        }
        while i < rows.upperBound {
            let x0 = x + i * d
            for g in 0..<groups {
                var a0 = SIMD16<Float>()
                let block = UnsafeRawPointer(panel + g * d * lanes)
                for p in 0..<d {
                    a0.addProduct(SIMD16(repeating: x0[p]), block.loadUnaligned(fromByteOffset: p * lanes * 4, as: SIMD16<Float>.self))
                }
                store(a0, out + (i - rows.lowerBound) * ldOut + g * lanes, min(lanes, count - g * lanes))
            }
            i += 1
        }
    }

    /// Each row's nearest packed center: `nearest[i]` the index of the smallest
    /// `norms[i] - 2 x_i . y_j + centerNorms[j]` (the lowest index on ties) and `best[i]` that
    /// value. `centerNorms` holds one value per panel lane, `+infinity` past the last center, so
    /// that padding never wins.
    static func nearest(_ x: UnsafePointer<Float>, rows: Range<Int>, dimensions d: Int, panel: UnsafePointer<Float>,
                        groups: Int, norms: UnsafePointer<Float>, centerNorms: UnsafePointer<Float>,
                        nearest: UnsafeMutablePointer<Int32>, best: UnsafeMutablePointer<Float>) {
        let second = UnsafeMutablePointer<Float>.allocate(capacity: max(rows.count, 1))
        defer { second.deallocate() }
        scanEveryCenter(x, rows: { rows.lowerBound + $0 }, count: rows.count, dimensions: d, panel: panel, groups: groups,
                        norms: norms, centerNorms: centerNorms, nearest: nearest + rows.lowerBound,
                        best: best + rows.lowerBound, second: second)
    }

    /// For the listed rows of `x` (`indices`, `count` of them): the nearest packed center (lowest
    /// index on ties) with its value `norm - 2 x . y + centerNorm`, and the second smallest value,
    /// written per list position. Padding lanes hold `+infinity` norms, as in `nearest`.
    ///
    /// Sixteen listed rows at a time: per group of centers, four quads of products give the 16
    /// rows' distances, and one reduction tree (`SixteenRowMinima`) takes all their minima.
    static func nearestTwo(_ x: UnsafePointer<Float>, indices: UnsafePointer<Int32>, count: Int, dimensions d: Int,
                           panel: UnsafePointer<Float>, groups: Int, norms: UnsafePointer<Float>,
                           centerNorms: UnsafePointer<Float>, nearest: UnsafeMutablePointer<Int32>,
                           best: UnsafeMutablePointer<Float>, second: UnsafeMutablePointer<Float>) {
        scanEveryCenter(x, rows: { Int(indices[$0]) }, count: count, dimensions: d, panel: panel, groups: groups, norms: norms,
                        centerNorms: centerNorms, nearest: nearest, best: best, second: second)
    }

    /// `nearestTwo` for the rows `rows(0) ..< rows(count)` of `x`, results per position.
    @inline(__always)
    private static func scanEveryCenter(_ x: UnsafePointer<Float>, rows rowAt: (Int) -> Int, count: Int, dimensions d: Int,
                                        panel: UnsafePointer<Float>, groups: Int, norms: UnsafePointer<Float>,
                                        centerNorms: UnsafePointer<Float>, nearest: UnsafeMutablePointer<Int32>,
                                        best: UnsafeMutablePointer<Float>, second: UnsafeMutablePointer<Float>) {
        let rawNorms = UnsafeRawPointer(centerNorms)
        let block = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: 16 + 16)
        let indexScratch = UnsafeMutablePointer<SIMD16<Int32>>.allocate(capacity: 8)
        defer { block.deallocate(); indexScratch.deallocate() }
        var start = 0
        while start < count {
            let rows = min(16, count - start)
            // A short last block repeats its last row; the repeats are not stored.
            var row = SIMD16<Int32>()
            for r in 0..<16 { row[r] = Int32(truncatingIfNeeded: rowAt(start + min(r, rows - 1))) }
            var running = SixteenRowMinima()
            for g in 0..<groups {
                let c = rawNorms.loadUnaligned(fromByteOffset: g * lanes * 4, as: SIMD16<Float>.self)
                let group = panel + g * d * lanes
                for q in 0..<4 {
                    let r0 = Int(row[4 * q]), r1 = Int(row[4 * q + 1]), r2 = Int(row[4 * q + 2]), r3 = Int(row[4 * q + 3])
                    let (a0, a1, a2, a3) = quad(x + r0 * d, x + r1 * d, x + r2 * d, x + r3 * d, group: group, dimensions: d)
                    block[4 * q] = SIMD16(repeating: norms[r0]) - 2 * a0 + c
                    block[4 * q + 1] = SIMD16(repeating: norms[r1]) - 2 * a1 + c
                    block[4 * q + 2] = SIMD16(repeating: norms[r2]) - 2 * a2 + c
                    block[4 * q + 3] = SIMD16(repeating: norms[r3]) - 2 * a3 + c
                }
                running.merge(block, firstCentroid: Int32(g * lanes), scratch: block + 16, indexScratch: indexScratch)
            }
            for r in 0..<rows {
                nearest[start + r] = running.index[r]
                best[start + r] = running.best[r]
                second[start + r] = running.second[r]
            }
            start += 16
        }
    }

    /// `c[i, :] += sum over p < inner of a[i, p] * b[p, :]` for `rows` rows, with `b` and `c`
    /// `width` columns wide, `width` a multiple of 16 (row strides `lda`, `width`, `width`).
    ///
    /// Column groups of 16 outermost: a group's slab of `b` (`inner x 16` values, 32 KB for 512
    /// inner rows) stays in L1 while every row passes over it, four rows at a time.
    @inline(__always)
    static func accumulate(_ a: UnsafePointer<Float>, lda: Int, rows: Range<Int>, inner: Int,
                           _ b: UnsafePointer<Float>, width: Int, into c: UnsafeMutablePointer<Float>) {
        let rawB = UnsafeRawPointer(b)
        for column in stride(from: 0, to: width, by: lanes) {
            var i = rows.lowerBound
            while i + 4 <= rows.upperBound {
                let a0 = a + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
                let c0 = UnsafeMutableRawPointer(c + i * width + column), stride = width * 4
                var s0 = c0.loadUnaligned(as: SIMD16<Float>.self)
                var s1 = c0.loadUnaligned(fromByteOffset: stride, as: SIMD16<Float>.self)
                var s2 = c0.loadUnaligned(fromByteOffset: 2 * stride, as: SIMD16<Float>.self)
                var s3 = c0.loadUnaligned(fromByteOffset: 3 * stride, as: SIMD16<Float>.self)
                for p in 0..<inner {
                    let y = rawB.loadUnaligned(fromByteOffset: (p * width + column) * 4, as: SIMD16<Float>.self)
                    s0.addProduct(SIMD16(repeating: a0[p]), y)
                    s1.addProduct(SIMD16(repeating: a1[p]), y)
                    s2.addProduct(SIMD16(repeating: a2[p]), y)
                    s3.addProduct(SIMD16(repeating: a3[p]), y)
                }
                c0.storeBytes(of: s0, as: SIMD16<Float>.self)
                c0.storeBytes(of: s1, toByteOffset: stride, as: SIMD16<Float>.self)
                c0.storeBytes(of: s2, toByteOffset: 2 * stride, as: SIMD16<Float>.self)
                c0.storeBytes(of: s3, toByteOffset: 3 * stride, as: SIMD16<Float>.self)
                i += 4
            }
            while i < rows.upperBound {
                let a0 = a + i * lda
                let c0 = UnsafeMutableRawPointer(c + i * width + column)
                var s0 = c0.loadUnaligned(as: SIMD16<Float>.self)
                for p in 0..<inner {
                    s0.addProduct(SIMD16(repeating: a0[p]), rawB.loadUnaligned(fromByteOffset: (p * width + column) * 4, as: SIMD16<Float>.self))
                }
                c0.storeBytes(of: s0, as: SIMD16<Float>.self)
                i += 1
            }
        }
    }

    /// `to[j * rows + i] = from[i * columns + j]` for `j` in `columnRange`: rows of the transpose,
    /// copied in 16 x 16 blocks so that both sides stay in cache lines already loaded.
    @inline(__always)
    static func transpose(_ from: UnsafePointer<Float>, rows: Int, columns: Int, columnRange: Range<Int>,
                          into to: UnsafeMutablePointer<Float>) {
        for j0 in stride(from: columnRange.lowerBound, to: columnRange.upperBound, by: lanes) {
            let j1 = min(columnRange.upperBound, j0 + lanes)
            for i0 in stride(from: 0, to: rows, by: lanes) {
                let i1 = min(rows, i0 + lanes)
                for j in j0..<j1 {
                    let target = to + j * rows
                    for i in i0..<i1 { target[i] = from[i * columns + j] }
                }
            }
        }
    }

    /// The Gram values of four rows against one packed group of 16 centers: four independent
    /// accumulator chains per panel load, the inner loop of every product here (and of
    /// `mergeNearest`, whose OpenCL kernels repeat its order of operations exactly).
    @inline(__always)
    static func quad(_ x0: UnsafePointer<Float>, _ x1: UnsafePointer<Float>, _ x2: UnsafePointer<Float>,
                     _ x3: UnsafePointer<Float>, group: UnsafePointer<Float>, dimensions d: Int)
        -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
        let block = UnsafeRawPointer(group)
        for p in 0..<d {
            let y = block.loadUnaligned(fromByteOffset: p * lanes * 4, as: SIMD16<Float>.self)
            a0.addProduct(SIMD16(repeating: x0[p]), y)
            a1.addProduct(SIMD16(repeating: x1[p]), y)
            a2.addProduct(SIMD16(repeating: x2[p]), y)
            a3.addProduct(SIMD16(repeating: x3[p]), y)
        }
        return (a0, a1, a2, a3)
    }

    /// The first `width` lanes of `v` to `out`.
    @inline(__always)
    private static func store(_ v: SIMD16<Float>, _ out: UnsafeMutablePointer<Float>, _ width: Int) {
        if width == lanes {
            UnsafeMutableRawPointer(out).storeBytes(of: v, as: SIMD16<Float>.self)
        } else {
            for l in 0..<width { out[l] = v[l] }
        }
    }
}
