import AVX512Loops

/// `kNearest` on the host: the points stream through in packed tiles, the queries split across
/// threads within each tile, every query's list kept in the outputs themselves (squared
/// distances until the last tile), so the only memory beyond them is one packed tile. When the
/// queries are the points, the symmetric scan (CPUBackend+SymmetricNeighbors) computes each
/// distance once for both of its points.
extension CPUBackend {
    /// Points per tile of `kNearest`: whole panels of 16, about 256 KB packed (65,536 values), so
    /// that a tile stays in L2 while every query passes over it, and few tiles (69 at 70,000 x 64)
    /// each wait for the slowest thread. 64 KB tiles were no faster on the 2-core test machine.
    static func neighborTilePoints(dimensions d: Int) -> Int {
        let lanes = HostPanelProducts.lanes
        return min(8192, max(lanes, 65_536 / max(d, 1) / lanes * lanes))
    }

    public func kNearest(queries: Tensor, queryNorms: Tensor, points: Tensor, pointNorms: Tensor, k: Int,
                         selfOffset: Int?, indices: Tensor, distances: Tensor) throws {
        let operation = "kNearest"
        let (m, n, d) = try OperandChecks.kNearest(queries, queryNorms, points, pointNorms, k: k, selfOffset: selfOffset,
                                                   indices, distances)
        guard m > 0 else { return }
        let pq = SharedPointer(try pointer(queries, operation)), pqn = SharedPointer(try pointer(queryNorms, operation))
        let pp = try pointer(points, operation), ppn = try pointer(pointNorms, operation)
        let pi = SharedPointer(try integers(indices, operation)), pd = SharedPointer(try pointer(distances, operation))
        pd.base.update(repeating: .infinity, count: m * k)
        pi.base.update(repeating: -1, count: m * k)
        if selfOffset == 0, m == n, pq.base == pp, pqn.base == ppn {
            // The queries are the points themselves (one tensor): each distance serves both lists.
            symmetricNearest(pp, norms: ppn, count: n, dimensions: d, k: k, best: pd.base, index: pi.base)
        } else {
            scanTiles(pq, norms: pqn, rows: m, points: pp, pointNorms: ppn, count: n, dimensions: d, k: k, selfOffset: selfOffset,
                      best: pd, index: pi)
        }
        parallelChunks(m * k, minimumChunk: 16_384) { range in
            VectorMath.clampedSquareRoots(pd.base + range.lowerBound, range.count)
        }
    }

    /// The one-sided scan: the points stream through in packed tiles, in index order, the
    /// queries split across threads within each tile.
    private func scanTiles(_ pq: SharedPointer<Float>, norms pqn: SharedPointer<Float>, rows m: Int, points pp: UnsafeMutablePointer<Float>,
                           pointNorms ppn: UnsafeMutablePointer<Float>, count n: Int, dimensions d: Int, k: Int, selfOffset: Int?,
                           best pd: SharedPointer<Float>, index pi: SharedPointer<Int32>) {
        let tile = Self.neighborTilePoints(dimensions: d)
        for first in stride(from: 0, to: n, by: tile) {
            let packed = PackedCenters(pp + first * d, count: min(tile, n - first), dimensions: d, norms: ppn + first)
            let wide = usesAVX512Loops
            parallelChunks(m, minimumChunk: max(4, 65_536 / max(packed.count * d, 1))) { rows in
                if wide {
                    WideNeighborScan.mergeNearest(pq.base, rows: rows, dimensions: d, norms: pqn.base, panel: packed.panel,
                                                  groups: packed.groups, laneNorms: packed.laneNorms, firstPoint: first,
                                                  selfOffset: selfOffset, k: k, best: pd.base, index: pi.base)
                } else {
                    HostPanelProducts.mergeNearest(pq.base, rows: rows, dimensions: d, norms: pqn.base, tile: packed,
                                                   firstPoint: first, selfOffset: selfOffset, k: k, best: pd.base, index: pi.base)
                }
            }
        }
    }
}
