import VectorLanes

/// The CPU backend's k-nearest-neighbour scan: four query rows at a time against one packed tile
/// of points (the Gram values of `quad`, as `nearest` takes them), each row's distances merged
/// into its sorted list.
extension HostPanelProducts {
    /// Merges the points of one packed tile into the neighbour lists of rows `rows` of `x`.
    ///
    /// A point enters a list only when strictly nearer than its k-th entry, after every entry of
    /// equal distance: tiles come in index order and lanes in order, so ties keep the lower index
    /// first, and each row's list never depends on the rows beside it or on the thread.
    /// - Parameters:
    ///   - norms: the squared norms of the rows of `x`.
    ///   - tile: the points, packed with their norms (`+infinity` past the tile: padding never enters).
    ///   - firstPoint: the index of the tile's first point among all the points.
    ///   - selfOffset: row `i` of `x` is point `selfOffset + i`, left out of its own list; nil
    ///     leaves nothing out.
    ///   - best: `k` squared distances per row of `x` (row `i` at `i * k`), ascending; updated.
    ///   - index: the points of `best`, updated alongside.
    static func mergeNearest(_ x: UnsafePointer<Float>, rows: Range<Int>, dimensions d: Int, norms: UnsafePointer<Float>,
                             tile: PackedCenters, firstPoint: Int, selfOffset: Int?, k: Int,
                             best: UnsafeMutablePointer<Float>, index: UnsafeMutablePointer<Int32>) {
        let rawNorms = UnsafeRawPointer(tile.laneNorms)
        var i = rows.lowerBound
        while i < rows.upperBound {
            let count = min(4, rows.upperBound - i), last = rows.upperBound - 1
            // Rows past the end repeat the last one; nothing is merged for them.
            let x0 = x + i * d, x1 = x + min(i + 1, last) * d, x2 = x + min(i + 2, last) * d, x3 = x + min(i + 3, last) * d
            for g in 0..<tile.groups {
                let (a0, a1, a2, a3) = quad(x0, x1, x2, x3, group: tile.panel + g * d * lanes, dimensions: d)
                let c = rawNorms.loadUnaligned(fromByteOffset: g * lanes * 4, as: SIMD16<Float>.self)
                let j0 = firstPoint + g * lanes
                merge(a0, row: i, norms: norms, c, firstPoint: j0, selfOffset: selfOffset, k: k, best: best, index: index)
                if count > 1 { merge(a1, row: i + 1, norms: norms, c, firstPoint: j0, selfOffset: selfOffset, k: k, best: best, index: index) }
                if count > 2 { merge(a2, row: i + 2, norms: norms, c, firstPoint: j0, selfOffset: selfOffset, k: k, best: best, index: index) }
                if count > 3 { merge(a3, row: i + 3, norms: norms, c, firstPoint: j0, selfOffset: selfOffset, k: k, best: best, index: index) }
            }
            i += 4
        }
    }

    /// Row `row`'s squared distances to 16 points (from their Gram values) merged into its
    /// sorted list of `k`; its own point is skipped.
    ///
    /// Inlined, it only tests whether any of the 16 is nearer than the k-th entry; the insertion
    /// that is rarely needed once the lists fill is a call. Inlined whole, the loop was too
    /// large, and the compiler called it for three of the four rows with every accumulator of
    /// `quad` spilled around the call.
    @inline(__always)
    private static func merge(_ gram: SIMD16<Float>, row: Int, norms: UnsafePointer<Float>, _ laneNorms: SIMD16<Float>,
                              firstPoint j0: Int, selfOffset: Int?, k: Int,
                              best allBest: UnsafeMutablePointer<Float>, index allIndex: UnsafeMutablePointer<Int32>) {
        let distances = SortedNeighbors.distances(norm: norms[row], gram: gram, pointNorms: laneNorms)
        guard SortedNeighbors.mayEnter(distances, kth: allBest[row * k + k - 1]) else { return }
        SortedNeighbors.insert(distances, excluding: selfOffset.map { $0 + row } ?? -1, firstPoint: j0, k: k,
                               best: allBest + row * k, index: allIndex + row * k)
    }
}

extension HostPanelProducts {
    /// One step of the symmetric scan (`WideNeighborScan.mergeSymmetric`, in the Engine's own
    /// build): rows `rows` of `x` against the packed points of `tile`, four rows at a time, each
    /// quad's Gram values merged into the rows' lists and the columns'.
    static func mergeSymmetric(_ x: UnsafePointer<Float>, rows: Range<Int>, dimensions d: Int, norms: UnsafePointer<Float>,
                               tile: PackedCenters, firstColumn: Int, diagonal: Bool, k: Int, best: UnsafeMutablePointer<Float>,
                               index: UnsafeMutablePointer<Int32>, kth: UnsafeMutablePointer<Float>) {
        let width = tile.groups * lanes
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(4 * width, 1)) { buffer in
            let quadGram = buffer.baseAddress!
            // `gram` stores no padding lanes: zero, they give +infinity from the padding norms.
            quadGram.initialize(repeating: 0, count: buffer.count)
            var i = rows.lowerBound
            while i < rows.upperBound {
                let quad = i..<min(i + 4, rows.upperBound)
                gram(x, rows: quad, dimensions: d, panel: tile.panel, count: tile.count, into: quadGram, ldOut: width)
                SymmetricNeighborMerge.merge(gram: quadGram, ldGram: width, rows: quad.count, firstRow: i, norms: norms,
                                             groups: tile.groups, firstColumn: firstColumn, columnNorms: tile.laneNorms,
                                             diagonal: diagonal, k: k, best: best, index: index, kth: kth)
                i += 4
            }
        }
    }
}
