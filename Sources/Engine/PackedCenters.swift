/// Rows of centers (centroids, k-means++ candidates, a block of points) packed for the CPU
/// backend's panel products, with one squared norm per panel lane: `+infinity` past the last
/// center, so that padding lanes never win a minimum. Freed with the value.
final class PackedCenters: @unchecked Sendable {
    // Read-only after init, so workers of `parallelChunks` may share it.
    let count: Int
    let groups: Int
    /// `HostPanelProducts.pack`'s layout: groups of 16 centers, dimension by dimension.
    let panel: UnsafeMutablePointer<Float>
    /// `groups * 16` squared norms, `+infinity` past `count`.
    let laneNorms: UnsafeMutablePointer<Float>

    /// Packs `count` rows of `d` values starting at `rows`, with their squared norms `norms`
    /// when given (the caller's `rowSquaredNorms`), else computed here.
    init(_ rows: UnsafePointer<Float>, count: Int, dimensions d: Int, norms: UnsafePointer<Float>? = nil) {
        self.count = count
        groups = (count + HostPanelProducts.lanes - 1) / HostPanelProducts.lanes
        panel = HostPanelProducts.pack(rows, rows: count, dimensions: d)
        let lanes = max(groups * HostPanelProducts.lanes, 1)
        laneNorms = UnsafeMutablePointer<Float>.allocate(capacity: lanes)
        laneNorms.initialize(repeating: .infinity, count: lanes)
        if let norms {
            laneNorms.update(from: norms, count: count)
        } else {
            for j in 0..<count { laneNorms[j] = VectorMath.dot(rows + j * d, rows + j * d, d) }
        }
    }

    deinit {
        panel.deallocate()
        laneNorms.deallocate()
    }
}
