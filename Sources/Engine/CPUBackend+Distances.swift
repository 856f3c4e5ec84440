import CacheHints
import Dispatch

/// The distance operations on the host, in the Engine's own SIMD products
/// (`HostPanelProducts`), not OpenBLAS: see there why.
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
        let pd = SharedPointer(try pointer(distances, "squaredDistances"))
        let pc = SharedPointer(try pointer(centers, "squaredDistances"))
        if m <= 4 {
            // A few centers (k-means++ candidates): one dot per pair, the lanes along the
            // coordinates. A 16-center panel would be three quarters padding.
            let centerNorms = (0..<m).map { VectorMath.dot(pc.base + $0 * d, pc.base + $0 * d, d) }
            parallelChunks(n, minimumChunk: max(64, 65_536 / max(d * m, 1))) { range in
                for i in range {
                    let point = pp.base + i * d
                    for j in 0..<m {
                        pd[i * m + j] = max(pn[i] - 2 * VectorMath.dot(point, pc.base + j * d, d) + centerNorms[j], 0)
                    }
                }
            }
            return
        }
        let packed = PackedCenters(pc.base, count: m, dimensions: d)
        parallelChunks(n, minimumChunk: max(16, 65_536 / max(d * m, 1))) { range in
            HostPanelProducts.gram(pp.base, rows: range, dimensions: d, panel: packed.panel, count: m,
                                   into: pd.base + range.lowerBound * m, ldOut: m)
            for i in range {
                for j in 0..<m { pd[i * m + j] = max(pn[i] - 2 * pd[i * m + j] + packed.laneNorms[j], 0) }
            }
        }
    }

    public func nearestCentroids(points: Tensor, pointNorms: Tensor, centroids: Tensor,
                                 assignments: Tensor, distances: Tensor) throws {
        let (n, d, k) = try OperandChecks.nearestCentroids(points, pointNorms, centroids, assignments, distances)
        let pp = SharedPointer(try pointer(points, "nearestCentroids")), pn = SharedPointer(try pointer(pointNorms, "nearestCentroids"))
        let pa = SharedPointer(try integers(assignments, "nearestCentroids")), pd = SharedPointer(try pointer(distances, "nearestCentroids"))
        let packed = PackedCenters(try pointer(centroids, "nearestCentroids"), count: k, dimensions: d)
        let pc = SharedPointer(try pointer(centroids, "nearestCentroids"))
        parallelChunks(n, minimumChunk: max(64, 65_536 / max(d * k, 1))) { range in
            if k <= FewCentroidScan.largestK {
                // The bounded assignment's scan, so that both give a point the same distance.
                let second = UnsafeMutablePointer<Float>.allocate(capacity: range.count)
                defer { second.deallocate() }
                FewCentroidScan.nearestTwo(pp.base, rows: range, dimensions: d, centroids: pc.base, k: k, norms: pn.base,
                                           centerNorms: packed.laneNorms, nearest: pa.base + range.lowerBound,
                                           best: pd.base + range.lowerBound, second: second)
            } else {
                HostPanelProducts.nearest(pp.base, rows: range, dimensions: d, panel: packed.panel, groups: packed.groups,
                                          norms: pn.base, centerNorms: packed.laneNorms, nearest: pa.base, best: pd.base)
            }
            // The minimum is taken before clamping, so that two centroids both rounding below 0 compare.
            for i in range { pd[i] = max(pd[i], 0) }
        }
    }

    /// Per chunk of points: its rows prefetched, then for every run in turn two passes, the
    /// first listing the points the second needs without a branch on the data: loosen every
    /// bound; scan every centroid, four points at a time, for the points whose bounds failed.
    ///
    /// Why chunks outermost: a point's row is read only where a bound fails (about a third of
    /// the points per run, in no predictable order), and at the study's sizes the rows come from
    /// memory, so a run alone waits on it more than it computes. A chunk's rows (256 KB), asked
    /// for in order as the chunk starts, arrive while the first run loosens its bounds, and stay
    /// in L2 while every run passes over them. Why the passes: tested in one loop, every
    /// mispredicted branch also cancelled the row loads already under way.
    ///
    /// Why no tightening of the upper bound (Hamerly's distance to the own centroid alone, before
    /// the scan): measured on the study's signatures, it proved only two in five of the failing
    /// points, and a lone distance cost several of the scan's, which shares each centroid's loads
    /// among four points.
    public func boundedNearestCentroids(points: Tensor, pointNorms: Tensor, runs: [BoundedAssignmentRun]) throws {
        let operation = "boundedNearestCentroids"
        let (n, d, clusters) = try OperandChecks.boundedNearestCentroids(points, pointNorms, runs: runs)
        guard n > 0, !runs.isEmpty else { return }
        let pp = SharedPointer(try pointer(points, operation)), pn = SharedPointer(try pointer(pointNorms, operation))
        let prepared = try zip(runs, clusters).map { run, k in
            BoundedRunPointers(run, clusters: k, centroids: try pointer(run.centroids, operation),
                                   assignments: try integers(run.assignments, operation),
                                   upper: try pointer(run.upper, operation), lower: try pointer(run.lower, operation), dimensions: d)
        }
        let chunk = min(4096, max(256, (1 << 18) / (4 * max(d, 1))))
        // One chunk per task, handed out as workers free up: how many points of a chunk fail
        // their bounds varies, and halves fixed in advance left one core waiting on the other.
        DispatchQueue.concurrentPerform(iterations: (n + chunk - 1) / chunk) { index in
            let failing = UnsafeMutablePointer<Int32>.allocate(capacity: chunk)
            let nearest = UnsafeMutablePointer<Int32>.allocate(capacity: chunk)
            let best = UnsafeMutablePointer<Float>.allocate(capacity: 2 * chunk), next = best + chunk
            defer { failing.deallocate(); nearest.deallocate(); best.deallocate() }
            let range = index * chunk..<min(n, (index + 1) * chunk)
            Self.prefetchRows(pp.base, range, dimensions: d)
            for run in prepared {
                let k = run.k, pa = run.assignments, pu = run.upper, pl = run.lower, pc = run.centroids
                let perCentroid = run.perCentroid, packed = run.packed
                // Pass 1: loosen. A point with no valid centroid starts over from centroid 0
                // with an infinite upper bound, so that it fails and is scanned.
                var count = 0
                for i in range {
                    var a = Int(pa[i])
                    if a < 0 || a >= k {
                        a = 0
                        pa[i] = 0
                        pu[i] = .infinity
                        pl[i] = 0
                    }
                    let centroid = perCentroid + 3 * a
                    let u = pu[i] + centroid[0], l = pl[i] - centroid[2]
                    pu[i] = u
                    pl[i] = l
                    failing[count] = Int32(truncatingIfNeeded: i)
                    count &+= Self.one(if: u > max(l, centroid[1]))
                }
                // Pass 2: every centroid, for the points whose bounds failed.
                if k <= FewCentroidScan.largestK {
                    FewCentroidScan.nearestTwo(pp.base, indices: failing, count: count, dimensions: d, centroids: pc, k: k,
                                               norms: pn.base, centerNorms: packed.laneNorms,
                                               nearest: nearest, best: best, second: next)
                } else {
                    HostPanelProducts.nearestTwo(pp.base, indices: failing, count: count, dimensions: d, panel: packed.panel,
                                                 groups: packed.groups, norms: pn.base, centerNorms: packed.laneNorms,
                                                 nearest: nearest, best: best, second: next)
                }
                VectorMath.clampedSquareRoots(best, count)
                VectorMath.clampedSquareRoots(next, count)
                for position in 0..<count {
                    let i = Int(failing[position])
                    pa[i] = nearest[position]
                    pu[i] = best[position]
                    pl[i] = next[position]
                }
            }
        }
    }

    /// Asks for the rows `range` of `x` (`d` values each), every cache line in order.
    @inline(__always)
    static func prefetchRows(_ x: UnsafePointer<Float>, _ range: Range<Int>, dimensions d: Int) {
        let lineFloats = 16
        var offset = range.lowerBound * d
        let end = range.upperBound * d
        while offset < end {
            signet_prefetch_for_read(x + offset)
            offset += lineFloats
        }
    }

    /// 1 where `condition` holds, else 0, without a branch: the bounds' tests are unpredictable
    /// (about a third fail), and Swift compiled `condition ? 1 : 0` as a jump.
    @inline(__always)
    static func one(if condition: Bool) -> Int { Int(unsafeBitCast(condition, to: UInt8.self)) }

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

    /// Memberships and sums are padded to a multiple of 16 columns for the SIMD products; each
    /// tile is computed by row ranges in parallel (its Gram values, distances and the rows' sums
    /// together), then transposed by row ranges for the columns' sums.
    public func silhouetteSums(points: Tensor, pointNorms: Tensor, memberships: Tensor, into sums: Tensor,
                               blockRows: Int) throws {
        let (n, d, t) = try OperandChecks.silhouetteSums(points, pointNorms, memberships, sums, blockRows: blockRows)
        let pp = SharedPointer(try pointer(points, "silhouetteSums")), pn = SharedPointer(try pointer(pointNorms, "silhouetteSums"))
        let ph = try pointer(memberships, "silhouetteSums"), ps = try pointer(sums, "silhouetteSums")
        guard n > 0, t > 0 else { return }
        let width = (t + 15) / 16 * 16
        let padded = SharedPointer(UnsafeMutablePointer<Float>.allocate(capacity: n * width))
        let accumulated = SharedPointer(UnsafeMutablePointer<Float>.allocate(capacity: n * width))
        padded.base.initialize(repeating: 0, count: n * width)
        accumulated.base.initialize(repeating: 0, count: n * width)
        for i in 0..<n { (padded.base + i * width).update(from: ph + i * t, count: t) }
        let blocks = rowBlocks(n, blockRows)
        let panels = blocks.map { PackedCenters(pp.base + $0.lowerBound * d, count: $0.count, dimensions: d) }
        let side = min(blockRows, n)
        let tile = SharedPointer(UnsafeMutablePointer<Float>.allocate(capacity: side * side))
        let transposed = SharedPointer(UnsafeMutablePointer<Float>.allocate(capacity: side * side))
        defer {
            for buffer in [padded, accumulated, tile, transposed] { buffer.base.deallocate() }
        }
        for (bi, rows) in blocks.enumerated() {
            for cj in bi..<blocks.count {
                let columns = blocks[cj], b = rows.count, c = columns.count, r0 = rows.lowerBound, c0 = columns.lowerBound
                let diagonal = bi == cj, packed = panels[cj]
                parallelChunks(b, minimumChunk: 16) { range in
                    HostPanelProducts.gram(pp.base + r0 * d, rows: range, dimensions: d, panel: packed.panel, count: c,
                                           into: tile.base + range.lowerBound * c, ldOut: c)
                    for i in range {
                        let row = tile.base + i * c
                        DistanceFromGram.distances(row, point: pp.base + (r0 + i) * d, pointNorm: pn[r0 + i],
                                                   columns: pp.base + c0 * d, columnNorms: pn.base + c0,
                                                   count: c, dimensions: d)
                        if diagonal { row[i] = 0 }
                    }
                    HostPanelProducts.accumulate(tile.base, lda: c, rows: range, inner: c, padded.base + c0 * width,
                                                 width: width, into: accumulated.base + r0 * width)
                }
                guard !diagonal else { continue }
                parallelChunks(c, minimumChunk: 16) { range in
                    HostPanelProducts.transpose(tile.base, rows: b, columns: c, columnRange: range, into: transposed.base)
                    HostPanelProducts.accumulate(transposed.base, lda: b, rows: range, inner: b, padded.base + r0 * width,
                                                 width: width, into: accumulated.base + c0 * width)
                }
            }
        }
        for i in 0..<n { (ps + i * t).update(from: accumulated.base + i * width, count: t) }
    }
}
