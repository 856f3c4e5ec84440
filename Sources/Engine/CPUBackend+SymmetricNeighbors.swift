import AVX512Loops

/// `kNearest` when the queries are the points, each left out of its own list (UMAP's graph):
/// the distance from i to j is the distance from j to i, so each pair of points is computed once
/// and serves both lists, half the products of scanning every point against every other.
///
/// The points are cut into blocks; each unordered pair of blocks (I, J) is one step, the Gram
/// values of I's rows against J's packed points merged into the lists of both
/// (`SymmetricNeighborMerge`). Steps come in rounds of pairs that share no block, so that a
/// round's steps run in parallel and no two threads ever write one list. Lists are ranked by
/// (distance, index), so they end as the one-sided scan's, bit for bit, in any order of steps
/// and on any number of threads.
extension CPUBackend {
    /// Points per block: a quad's Gram lines (4 x 256 values) stay in L1 while they are merged,
    /// a block's packed points (64 KB at 64 dimensions) in L2 while its partner's rows pass, and
    /// a round of a 70,000-point scan has 137 steps to share among the threads.
    static let symmetricBlockPoints = 256

    /// Each of the `n` points' `k` nearest other points into `best` (squared distances,
    /// ascending) and `index`, which start as empty lists (`+infinity`, -1).
    func symmetricNearest(_ points: UnsafePointer<Float>, norms: UnsafePointer<Float>, count n: Int, dimensions d: Int, k: Int,
                          best: UnsafeMutablePointer<Float>, index: UnsafeMutablePointer<Int32>) {
        let size = Self.symmetricBlockPoints, blocks = (n + size - 1) / size
        let tiles = (0..<blocks).map { b in
            PackedCenters(points + b * size * d, count: min(size, n - b * size), dimensions: d, norms: norms + b * size)
        }
        // Each list's k-th distance, in one line for the columns' vector test; -infinity past the
        // last point (the last block's padding lanes) takes no candidate.
        let kth = UnsafeMutablePointer<Float>.allocate(capacity: blocks * size)
        defer { kth.deallocate() }
        kth.initialize(repeating: .infinity, count: n)
        (kth + n).initialize(repeating: -.infinity, count: blocks * size - n)
        let x = SharedPointer(UnsafeMutablePointer(mutating: points)), xn = SharedPointer(UnsafeMutablePointer(mutating: norms))
        let lists = SharedPointer(best), listIndex = SharedPointer(index), shared = SharedPointer(kth)
        let wide = usesAVX512Loops
        for round in Self.blockRounds(blocks) {
            parallelChunks(round.count, minimumChunk: 1) { steps in
                for (rowBlock, columnBlock) in round[steps] {
                    let rows = rowBlock * size..<min(n, (rowBlock + 1) * size), tile = tiles[columnBlock]
                    let first = columnBlock * size, diagonal = rowBlock == columnBlock
                    if wide {
                        WideNeighborScan.mergeSymmetric(x.base, rows: rows, dimensions: d, norms: xn.base, panel: tile.panel,
                                                        groups: tile.groups, laneNorms: tile.laneNorms, firstColumn: first,
                                                        diagonal: diagonal, k: k, best: lists.base, index: listIndex.base,
                                                        kth: shared.base)
                    } else {
                        HostPanelProducts.mergeSymmetric(x.base, rows: rows, dimensions: d, norms: xn.base, tile: tile,
                                                         firstColumn: first, diagonal: diagonal, k: k, best: lists.base,
                                                         index: listIndex.base, kth: shared.base)
                    }
                }
            }
        }
    }

    /// Every pair of `blocks` blocks once, a block with itself included, as (lower, higher), in
    /// rounds whose pairs share no block: the diagonal pairs first, then the circle method's
    /// rounds (fix the last of an even count, rotate the others; a block paired with the
    /// padding block of an odd count sits the round out).
    static func blockRounds(_ blocks: Int) -> [[(Int, Int)]] {
        guard blocks > 0 else { return [] }
        var rounds = [(0..<blocks).map { ($0, $0) }]
        let even = blocks + blocks % 2, turning = even - 1
        for r in 0..<turning {
            var round: [(Int, Int)] = []
            for offset in 0..<even / 2 {
                let a = offset == 0 ? even - 1 : (r + offset) % turning, b = (r - offset + turning) % turning
                if a < blocks && b < blocks && a != b { round.append((min(a, b), max(a, b))) }
            }
            if !round.isEmpty { rounds.append(round) }
        }
        return rounds
    }
}
