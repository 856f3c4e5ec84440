import CBLAS

/// The distance operations on the host: plain SIMD loops for the per-point work, OpenBLAS for
/// the tiles of the silhouette's pairwise pass.
extension CPUBackend {
    public func rowSquaredNorms(_ x: Tensor, into norms: Tensor) throws {
        try OperandChecks.perRow("rowSquaredNorms", vector: norms, matrix: x)
        let px = SharedPointer(try pointer(x, "rowSquaredNorms")), pn = SharedPointer(try pointer(norms, "rowSquaredNorms"))
        let columns = x.columns
        parallelChunks(x.rows, minimumChunk: max(1, 32_768 / max(columns, 1))) { range in
            for r in range {
                let row = px.base + r * columns
                pn[r] = VectorMath.dot(row, row, columns)
            }
        }
    }

    public func squaredDistances(points: Tensor, pointNorms: Tensor, centers: Tensor, into distances: Tensor) throws {
        let (n, d, m) = try OperandChecks.squaredDistances(points, pointNorms, centers, distances)
        let pp = SharedPointer(try pointer(points, "squaredDistances")), pn = SharedPointer(try pointer(pointNorms, "squaredDistances"))
        let pc = SharedPointer(try pointer(centers, "squaredDistances")), pd = SharedPointer(try pointer(distances, "squaredDistances"))
        let centerNorms = SharedPointer(try squaredNorms(of: pc.base, rows: m, columns: d))
        defer { centerNorms.base.deallocate() }
        parallelChunks(n, minimumChunk: max(1, 65_536 / max(d * m, 1))) { range in
            for i in range {
                let point = pp.base + i * d
                for j in 0..<m {
                    let dot = VectorMath.dot(point, pc.base + j * d, d)
                    pd[i * m + j] = max(pn[i] - 2 * dot + centerNorms[j], 0)
                }
            }
        }
    }

    public func nearestCentroids(points: Tensor, pointNorms: Tensor, centroids: Tensor,
                                 assignments: Tensor, distances: Tensor) throws {
        let (n, d, k) = try OperandChecks.nearestCentroids(points, pointNorms, centroids, assignments, distances)
        let pp = SharedPointer(try pointer(points, "nearestCentroids")), pn = SharedPointer(try pointer(pointNorms, "nearestCentroids"))
        let pc = SharedPointer(try pointer(centroids, "nearestCentroids"))
        let pa = SharedPointer(try integers(assignments, "nearestCentroids")), pd = SharedPointer(try pointer(distances, "nearestCentroids"))
        let centroidNorms = SharedPointer(try squaredNorms(of: pc.base, rows: k, columns: d))
        defer { centroidNorms.base.deallocate() }
        parallelChunks(n, minimumChunk: max(1, 65_536 / max(d * k, 1))) { range in
            for i in range {
                let point = pp.base + i * d, norm = pn[i]
                // The minimum before clamping, so that two centroids both rounding below 0 compare.
                var best = norm - 2 * VectorMath.dot(point, pc.base, d) + centroidNorms[0]
                var nearest: Int32 = 0
                for j in 1..<max(k, 1) {
                    let distance = norm - 2 * VectorMath.dot(point, pc.base + j * d, d) + centroidNorms[j]
                    if distance < best {
                        best = distance
                        nearest = Int32(j)
                    }
                }
                pa[i] = nearest
                pd[i] = max(best, 0)
            }
        }
    }

    /// Rows per partial sum of `clusterSums`: fixed, so that the rounding never depends on the
    /// thread count.
    static let clusterSumChunk = 1024

    public func clusterSums(points: Tensor, assignments: Tensor, into sums: Tensor, counts: Tensor) throws {
        let (n, d, k) = try OperandChecks.clusterSums(points, assignments, sums, counts)
        let pp = SharedPointer(try pointer(points, "clusterSums")), pa = SharedPointer(try integers(assignments, "clusterSums"))
        let ps = try pointer(sums, "clusterSums"), pc = try pointer(counts, "clusterSums")
        // One partial holds every cluster's sum (k * d values) and then every count (k values).
        let width = k * d + k
        let totals = UnsafeMutablePointer<Float>.allocate(capacity: max(width, 1))
        defer { totals.deallocate() }
        chunkedSums(n, chunk: Self.clusterSumChunk, width: width, into: totals) { range, partial in
            for i in range {
                let cluster = Int(pa[i])
                guard cluster >= 0, cluster < k else { continue }
                let point = pp.base + i * d, sum = partial + cluster * d
                for j in 0..<d { sum[j] += point[j] }
                partial[k * d + cluster] += 1
            }
        }
        ps.update(from: totals, count: k * d)
        pc.update(from: totals + k * d, count: k)
    }

    public func oneHot(_ labels: Tensor, classes: Int, into memberships: Tensor, columnOffset: Int) throws {
        let (n, width) = try OperandChecks.oneHot(labels, classes: classes, memberships, columnOffset: columnOffset)
        let pl = SharedPointer(try integers(labels, "oneHot")), pm = SharedPointer(try pointer(memberships, "oneHot"))
        parallelChunks(n, minimumChunk: max(1, 16_384 / max(classes, 1))) { range in
            for i in range {
                let row = pm.base + i * width + columnOffset
                for c in 0..<classes { row[c] = Int(pl[i]) == c ? 1 : 0 }
            }
        }
    }

    public func silhouetteSums(points: Tensor, pointNorms: Tensor, memberships: Tensor, into sums: Tensor,
                               blockRows: Int) throws {
        let (n, d, t) = try OperandChecks.silhouetteSums(points, pointNorms, memberships, sums, blockRows: blockRows)
        let pp = try pointer(points, "silhouetteSums"), pn = SharedPointer(try pointer(pointNorms, "silhouetteSums"))
        let ph = try pointer(memberships, "silhouetteSums"), ps = try pointer(sums, "silhouetteSums")
        ps.update(repeating: 0, count: n * t)
        let blocks = rowBlocks(n, blockRows)
        let side = min(blockRows, n)
        let tile = SharedPointer(UnsafeMutablePointer<Float>.allocate(capacity: max(side * side, 1)))
        defer { tile.base.deallocate() }
        for (bi, rows) in blocks.enumerated() {
            for cj in bi..<blocks.count {
                let columns = blocks[cj], b = rows.count, c = columns.count
                // Gram values of the two blocks, then distances in place.
                if d > 0 {
                    BLASThreads.choose(m: b, n: c, k: d)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(b), Int32(c), Int32(d), 1,
                                pp + rows.lowerBound * d, Int32(d), pp + columns.lowerBound * d, Int32(d), 0, tile.base, Int32(c))
                } else {
                    tile.base.update(repeating: 0, count: b * c)
                }
                let diagonal = bi == cj, r0 = rows.lowerBound, c0 = columns.lowerBound
                let points = SharedPointer(pp)
                parallelChunks(b, minimumChunk: max(1, 16_384 / c)) { range in
                    for i in range {
                        let row = tile.base + i * c
                        DistanceFromGram.distances(row, point: points.base + (r0 + i) * d, pointNorm: pn[r0 + i],
                                                   columns: points.base + c0 * d, columnNorms: pn.base + c0,
                                                   count: c, dimensions: d)
                        if diagonal { row[i] = 0 }
                    }
                }
                guard t > 0 else { continue }
                // The rows' sums over the columns' members, and (off the diagonal) the converse.
                BLASThreads.choose(m: b, n: t, k: c)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(b), Int32(t), Int32(c), 1,
                            tile.base, Int32(c), ph + c0 * t, Int32(t), 1, ps + r0 * t, Int32(t))
                if !diagonal {
                    BLASThreads.choose(m: c, n: t, k: b)
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(c), Int32(t), Int32(b), 1,
                                tile.base, Int32(c), ph + r0 * t, Int32(t), 1, ps + c0 * t, Int32(t))
                }
            }
        }
    }

    /// The squared norms of `rows` rows of `columns` values, in a fresh allocation the caller frees.
    private func squaredNorms(of values: UnsafeMutablePointer<Float>, rows: Int, columns: Int) throws -> UnsafeMutablePointer<Float> {
        let norms = UnsafeMutablePointer<Float>.allocate(capacity: max(rows, 1))
        for r in 0..<rows { norms[r] = VectorMath.dot(values + r * columns, values + r * columns, columns) }
        return norms
    }
}
