/// One `BoundedAssignmentRun` made ready for the CPU backend's point loops: raw pointers to its
/// tensors, its centroids packed, and per centroid the three numbers a point's test needs side
/// by side. Read-only once made (the pointees are written, each point by one worker), so the
/// workers of `parallelChunks` may share it.
final class BoundedRunPointers: @unchecked Sendable {
    let k: Int
    let centroids: UnsafeMutablePointer<Float>
    let assignments: UnsafeMutablePointer<Int32>
    let upper: UnsafeMutablePointer<Float>
    let lower: UnsafeMutablePointer<Float>
    let packed: PackedCenters
    /// Per centroid: its shift, its half separation, and the loosening of its points' lower
    /// bounds (the largest shift of another centroid).
    let perCentroid: UnsafeMutablePointer<Float>

    init(_ run: BoundedAssignmentRun, clusters k: Int, centroids: UnsafeMutablePointer<Float>,
         assignments: UnsafeMutablePointer<Int32>, upper: UnsafeMutablePointer<Float>, lower: UnsafeMutablePointer<Float>,
         dimensions d: Int) {
        self.k = k
        self.centroids = centroids
        self.assignments = assignments
        self.upper = upper
        self.lower = lower
        packed = PackedCenters(centroids, count: k, dimensions: d)
        let (largest, largestIndex, second) = CentroidShifts.largest(run.shifts)
        perCentroid = UnsafeMutablePointer<Float>.allocate(capacity: max(3 * k, 1))
        for j in 0..<k {
            perCentroid[3 * j] = run.shifts[j]
            perCentroid[3 * j + 1] = run.halfSeparations[j]
            perCentroid[3 * j + 2] = j == largestIndex ? second : largest
        }
    }

    deinit { perCentroid.deallocate() }
}
