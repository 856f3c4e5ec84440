/// One K-means run's share of a `Backend.boundedNearestCentroids(points:pointNorms:runs:)` pass:
/// its centroids with how far each moved since the bounds were made, and per point its
/// assignment and Hamerly bounds, updated in place.
///
/// Several runs over the same points (the restarts of one clustering, or the clusterings of
/// several k) go in one pass, so that each point's row is read once for all of them.
public struct BoundedAssignmentRun {
    /// The run's centroids, `[k, d]`.
    public var centroids: Tensor
    /// How far each centroid moved since the bounds were made (`k` Euclidean distances).
    public var shifts: [Float]
    /// Half the distance from each centroid to its nearest other one (`k` values).
    public var halfSeparations: [Float]
    /// Each point's centroid (int32, `[n]`).
    public var assignments: Tensor
    /// Each point's upper bound on its distance to its centroid (`[n]`).
    public var upper: Tensor
    /// Each point's lower bound on its distance to every other centroid (`[n]`).
    public var lower: Tensor

    public init(centroids: Tensor, shifts: [Float], halfSeparations: [Float], assignments: Tensor, upper: Tensor, lower: Tensor) {
        self.centroids = centroids
        self.shifts = shifts
        self.halfSeparations = halfSeparations
        self.assignments = assignments
        self.upper = upper
        self.lower = lower
    }
}
