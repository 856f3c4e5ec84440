import OpenCL

/// Which `kNearest` kernel of `neighbors.cl` an OpenCL backend runs.
public enum NeighborKernel: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// For CPU devices (PoCL): the points packed a tile at a time into panels of 32, each
    /// work-item merging a tile into the lists of four queries in wide float vectors; no local
    /// memory, no barriers, the lists carried between tiles in the outputs.
    case packed
    /// For GPUs: one launch, one query per work-item, tiles of 32 points and the group's queries
    /// staged through local memory by the work-group.
    case local

    /// The kernel for a device of this kind.
    public static func preferred(for device: Device) -> NeighborKernel {
        device.kind == .cpu ? .packed : .local
    }

    public var description: String { rawValue }
}

/// The blocking of `neighbors.cl`, passed to it as `-D` defines.
enum NeighborTiles {
    /// Queries per work-item of the packed kernel (`QR`) and 16-wide vectors per panel (`NV`):
    /// 4 x 2 keeps 8 accumulators of 16 floats, a panel load serving four rows, as the CPU
    /// backend's products.
    static let queriesPerItem = 4, vectors = 2
    /// Points per panel of the packed kernel.
    static var panelWidth: Int { 16 * vectors }
    /// Values of one packed tile (256 KB, in L2 while every query passes over it).
    static let packedTileValues = 65_536
    /// Points and dimensions per local-memory tile of the GPU kernel (a multiple of 4 points):
    /// 32 x 64 floats, 8 KB, beside the group's queries, 64 x 64 floats at 64 work-items.
    static let localPoints = 32, localDimensions = 64

    /// The defines for work-groups of `group` work-items.
    static func options(group: Int) -> String {
        "-D MAX_K=\(OperandChecks.maximumNeighbors) -D QR=\(queriesPerItem) -D NV=\(vectors) "
            + "-D LOCAL_POINTS=\(localPoints) -D LOCAL_DIMS=\(localDimensions) -D GROUP=\(group)"
    }

    /// Points per packed tile for `d` dimensions: whole panels.
    static func packedTilePoints(dimensions d: Int) -> Int {
        max(panelWidth, packedTileValues / max(d, 1) / panelWidth * panelWidth)
    }
}

extension OpenCLBackend {
    public func kNearest(queries: Tensor, queryNorms: Tensor, points: Tensor, pointNorms: Tensor, k: Int,
                         selfOffset: Int?, indices: Tensor, distances: Tensor) throws {
        let operation = "kNearest"
        let (m, n, d) = try OperandChecks.kNearest(queries, queryNorms, points, pointNorms, k: k, selfOffset: selfOffset,
                                                   indices, distances)
        guard m > 0 else { return }
        let q = try buffer(queries, operation), qn = try buffer(queryNorms, operation)
        let p = try buffer(points, operation), pn = try buffer(pointNorms, operation)
        let outIndices = try integers(indices, operation), outDistances = try buffer(distances, operation)
        let offset = selfOffset ?? -1
        switch neighborKernel {
        case .local:
            try launchNeighbors("k_nearest_local", count: m,
                                [.buffer(q), .buffer(qn), .buffer(p), .buffer(pn), .integers(outIndices), .buffer(outDistances),
                                 .int(m), .int(n), .int(d), .int(k), .int(offset)])
        case .packed:
            let width = NeighborTiles.panelWidth, tile = NeighborTiles.packedTilePoints(dimensions: d)
            let owner = ObjectIdentifier(self), capacity = min(tile, roundUp(n, width))
            let panel = try buffer(distanceScratch.panel.matrix(rows: capacity, columns: max(d, 1), owner: owner), operation)
            let panelNorms = try buffer(distanceScratch.panelNorms.matrix(rows: capacity, columns: 1, owner: owner), operation)
            let items = (m + NeighborTiles.queriesPerItem - 1) / NeighborTiles.queriesPerItem
            for first in stride(from: 0, to: n, by: tile) {
                let count = min(tile, n - first), slots = roundUp(count, width)
                try launchNeighbors("k_nearest_pack", count: slots,
                                    [.buffer(p), .buffer(pn), .buffer(panel), .buffer(panelNorms),
                                     .int(d), .int(first), .int(count), .int(slots)])
                try launchNeighbors("k_nearest_packed", count: items,
                                    [.buffer(q), .buffer(qn), .buffer(panel), .buffer(panelNorms),
                                     .integers(outIndices), .buffer(outDistances), .int(m), .int(d), .int(k),
                                     .int(first), .int(slots), .int(offset), .bool(first == 0), .bool(first + tile >= n)])
            }
        }
    }

    /// Runs kernel `name` of `neighbors.cl` over `count` work-items, rounded up to whole groups.
    private func launchNeighbors(_ name: String, count: Int, _ arguments: [KernelArgument]) throws {
        let kernel = try library.kernel(name, in: .neighbors, options: NeighborTiles.options(group: groupSize))
        try kernel.setArguments(arguments)
        try queue.enqueue(kernel, globalSize: [roundUp(count, groupSize)], localSize: [groupSize])
    }
}
