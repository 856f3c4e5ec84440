import OpenCL

/// The distance operations on a device: every product runs on the backend's GEMM, and the
/// kernels of `distance.cl` turn its Gram values into distances, assignments and memberships.
extension OpenCLBackend {
    public func rowSquaredNorms(_ x: Tensor, into norms: Tensor) throws {
        try OperandChecks.perRow("rowSquaredNorms", vector: norms, matrix: x)
        try launch("row_squared_norms", in: .distance, count: x.rows,
                   [.buffer(buffer(x, "rowSquaredNorms")), .buffer(buffer(norms, "rowSquaredNorms")),
                    .int(x.rows), .int(x.columns)])
    }

    public func squaredDistances(points: Tensor, pointNorms: Tensor, centers: Tensor, into distances: Tensor) throws {
        let (n, _, m) = try OperandChecks.squaredDistances(points, pointNorms, centers, distances)
        let centerNorms = try distanceScratch.centerNorms.matrix(rows: m, columns: 1, owner: ObjectIdentifier(self))
        try rowSquaredNorms(centers, into: centerNorms)
        try gemm(points, centers, into: distances, transposeA: false, transposeB: true, alpha: 1, beta: 0, epilogue: .none)
        try launch("squared_distances_from_gram", in: .distance, count: n * m,
                   [.buffer(buffer(distances, "squaredDistances")), .buffer(buffer(pointNorms, "squaredDistances")),
                    .buffer(buffer(centerNorms, "squaredDistances")), .int(n), .int(m)])
    }

    public func nearestCentroids(points: Tensor, pointNorms: Tensor, centroids: Tensor,
                                 assignments: Tensor, distances: Tensor) throws {
        let (n, _, k) = try OperandChecks.nearestCentroids(points, pointNorms, centroids, assignments, distances)
        guard n > 0 else { return }
        let owner = ObjectIdentifier(self)
        let centroidNorms = try distanceScratch.centerNorms.matrix(rows: k, columns: 1, owner: owner)
        let gram = try distanceScratch.gram.matrix(rows: n, columns: k, owner: owner)
        try rowSquaredNorms(centroids, into: centroidNorms)
        try gemm(points, centroids, into: gram, transposeA: false, transposeB: true, alpha: 1, beta: 0, epilogue: .none)
        try launch("nearest_from_gram", in: .distance, count: n,
                   [.buffer(buffer(gram, "nearestCentroids")), .buffer(buffer(pointNorms, "nearestCentroids")),
                    .buffer(buffer(centroidNorms, "nearestCentroids")), .integers(integers(assignments, "nearestCentroids")),
                    .buffer(buffer(distances, "nearestCentroids")), .int(n), .int(k)])
    }

    /// One launch per run: a GPU has the parallelism within a run, and each launch reads the
    /// points at its device's bandwidth.
    public func boundedNearestCentroids(points: Tensor, pointNorms: Tensor, runs: [BoundedAssignmentRun]) throws {
        let (n, d, clusters) = try OperandChecks.boundedNearestCentroids(points, pointNorms, runs: runs)
        guard n > 0 else { return }
        let owner = ObjectIdentifier(self), operation = "boundedNearestCentroids"
        for (run, k) in zip(runs, clusters) {
            // The centroids transposed into groups of 16 lanes (see distance.cl), with their norms.
            let width = (k + 15) / 16 * 16
            let packed = try distanceScratch.packedCentroids.matrix(rows: d, columns: width, owner: owner)
            let centroidNorms = try distanceScratch.centerNorms.matrix(rows: width, columns: 1, owner: owner)
            try launch("pack_centroids", in: .distance, count: width,
                       [.buffer(buffer(run.centroids, operation)), .buffer(buffer(packed, operation)),
                        .buffer(buffer(centroidNorms, operation)), .int(k), .int(d), .int(width)])
            // The shifts and the half separations in one buffer: one blocking write per run, not two.
            let moves = try distanceScratch.moves.matrix(rows: 2 * k, columns: 1, owner: owner)
            try write(run.shifts + run.halfSeparations, to: moves)
            let (largest, index, second) = CentroidShifts.largest(run.shifts)
            let common: [KernelArgument] = try [
                .buffer(buffer(points, operation)), .buffer(buffer(pointNorms, operation)),
                .buffer(buffer(packed, operation)), .buffer(buffer(centroidNorms, operation)),
                .buffer(buffer(moves, operation)),
                .integers(integers(run.assignments, operation)), .buffer(buffer(run.upper, operation)),
                .buffer(buffer(run.lower, operation)), .int(n), .int(d), .int(k),
            ]
            let shifted: [KernelArgument] = [.float(largest), .int(index), .float(second)]
            // Up to 16 centroids, four points per work-item (see distance.cl).
            if width == 16 {
                try launch("bounded_nearest_sixteen", in: .distance, count: (n + 3) / 4, common + shifted)
            } else {
                try launch("bounded_nearest", in: .distance, count: n, common + [.int(width)] + shifted)
            }
        }
    }

    /// The sums are a product, `onehot(assignments)^T * points`, and the counts the one-hot
    /// matrix's column sums: the GEMM's fixed summation order makes them deterministic, where
    /// scattering points into their clusters would need float atomics.
    public func clusterSums(points: Tensor, assignments: Tensor, into sums: Tensor, counts: Tensor) throws {
        let (n, _, k) = try OperandChecks.clusterSums(points, assignments, sums, counts)
        guard k > 0 else { return }
        guard n > 0 else {
            try fill(sums, with: 0)
            try fill(counts, with: 0)
            return
        }
        let memberships = try distanceScratch.memberships.matrix(rows: n, columns: k, owner: ObjectIdentifier(self))
        try oneHot(assignments, classes: k, into: memberships, columnOffset: 0)
        try gemm(memberships, points, into: sums, transposeA: true, transposeB: false, alpha: 1, beta: 0, epilogue: .none)
        try columnSums(memberships, into: counts, beta: 0)
    }

    public func oneHot(_ labels: Tensor, classes: Int, into memberships: Tensor, columnOffset: Int) throws {
        let (n, width) = try OperandChecks.oneHot(labels, classes: classes, memberships, columnOffset: columnOffset)
        try launch("one_hot", in: .distance, count: n * classes,
                   [.integers(integers(labels, "oneHot")), .buffer(buffer(memberships, "oneHot")),
                    .int(n), .int(classes), .int(width), .int(columnOffset)])
    }

    /// The GEMM kernels take whole buffers, so each block of points, norms, memberships and sums
    /// gets a tensor of its own (one copy of the inputs in all), and the sums are copied into
    /// place at the end.
    public func silhouetteSums(points: Tensor, pointNorms: Tensor, memberships: Tensor, into sums: Tensor,
                               blockRows: Int) throws {
        let (n, d, t) = try OperandChecks.silhouetteSums(points, pointNorms, memberships, sums, blockRows: blockRows)
        guard n > 0, t > 0 else { return }
        let blocks = try rowBlocks(n, blockRows).map { rows in
            try SilhouetteBlock(rows: rows, points: points, norms: pointNorms, memberships: memberships,
                                dimensions: d, width: t, backend: self)
        }
        let side = min(blockRows, n)
        let owner = ObjectIdentifier(self)
        for (bi, first) in blocks.enumerated() {
            for cj in bi..<blocks.count {
                let second = blocks[cj]
                let tile = try distanceScratch.gram.matrix(rows: side, columns: side, owner: owner)
                    .prefix(rows: first.rows.count, columns: second.rows.count)
                try gemm(first.points, second.points, into: tile, transposeA: false, transposeB: true,
                         alpha: 1, beta: 0, epilogue: .none)
                try launch("distance_tile", in: .distance, count: tile.count,
                           [.buffer(buffer(tile, "silhouetteSums")), .buffer(buffer(first.points, "silhouetteSums")),
                            .buffer(buffer(second.points, "silhouetteSums")), .buffer(buffer(first.norms, "silhouetteSums")),
                            .buffer(buffer(second.norms, "silhouetteSums")), .int(tile.shape[0]), .int(tile.shape[1]),
                            .int(d), .bool(bi == cj)])
                try gemm(tile, second.memberships, into: first.sums, transposeA: false, transposeB: false,
                         alpha: 1, beta: 1, epilogue: .none)
                if bi != cj {
                    try gemm(tile, first.memberships, into: second.sums, transposeA: true, transposeB: false,
                             alpha: 1, beta: 1, epilogue: .none)
                }
            }
        }
        let target = try buffer(sums, "silhouetteSums")
        for block in blocks {
            try queue.copy(from: buffer(block.sums, "silhouetteSums"), to: target, count: block.sums.count,
                           destinationOffset: block.rows.lowerBound * t)
        }
    }
}

/// One block of rows of the silhouette pass, copied out of the whole-matrix tensors.
private struct SilhouetteBlock {
    let rows: Range<Int>
    let points: Tensor
    let norms: Tensor
    let memberships: Tensor
    let sums: Tensor

    init(rows: Range<Int>, points allPoints: Tensor, norms allNorms: Tensor, memberships allMemberships: Tensor,
         dimensions d: Int, width t: Int, backend: OpenCLBackend) throws {
        self.rows = rows
        let b = rows.count
        points = try backend.zeros([b, d])
        norms = try backend.zeros([b])
        memberships = try backend.zeros([b, t])
        sums = try backend.zeros([b, t])
        let queue = backend.queue, operation = "silhouetteSums"
        try queue.copy(from: backend.buffer(allPoints, operation), to: backend.buffer(points, operation),
                       count: b * d, sourceOffset: rows.lowerBound * d)
        try queue.copy(from: backend.buffer(allNorms, operation), to: backend.buffer(norms, operation),
                       count: b, sourceOffset: rows.lowerBound)
        try queue.copy(from: backend.buffer(allMemberships, operation), to: backend.buffer(memberships, operation),
                       count: b * t, sourceOffset: rows.lowerBound * t)
    }
}

/// The scratch blocks of the distance operations, each grown to its largest request.
final class DistanceScratch {
    /// Gram values: points x centroids, or one tile of the silhouette pass.
    let gram: DeviceScratch
    /// The centers' squared norms.
    let centerNorms: DeviceScratch
    /// `clusterSums`' one-hot matrix.
    let memberships: DeviceScratch
    /// The centroid shifts then half separations of a bounded assignment, and its centroids
    /// packed in groups of 16 (`pack_centroids`).
    let moves: DeviceScratch, packedCentroids: DeviceScratch
    /// `kNearest`'s packed tile of points and their norms (CPU devices).
    let panel: DeviceScratch, panelNorms: DeviceScratch

    init(context: Context) {
        gram = DeviceScratch(context: context)
        centerNorms = DeviceScratch(context: context)
        memberships = DeviceScratch(context: context)
        moves = DeviceScratch(context: context)
        packedCentroids = DeviceScratch(context: context)
        panel = DeviceScratch(context: context)
        panelNorms = DeviceScratch(context: context)
    }
}

extension Tensor {
    /// The first `rows x columns` values of this tensor's storage seen as a matrix: a smaller
    /// tile over a scratch block.
    func prefix(rows: Int, columns: Int) -> Tensor {
        precondition(rows * columns <= count, "a \(rows) x \(columns) prefix of \(shape)")
        return Tensor(shape: [rows, columns], storage: storage, owner: owner, elementType: elementType)
    }
}
