/// How far each centroid moved in one Lloyd update, as the bounded assignment uses it.
enum CentroidShifts {
    /// The largest of `shifts`, its index, and the largest of the others: the loosening of a lower
    /// bound is the largest shift of a centroid other than the point's own.
    static func largest(_ shifts: [Float]) -> (largest: Float, index: Int, second: Float) {
        var largest: Float = 0, index = 0, second: Float = 0
        for (j, shift) in shifts.enumerated() {
            if shift > largest {
                second = largest
                (largest, index) = (shift, j)
            } else if shift > second {
                second = shift
            }
        }
        return (largest, index, second)
    }
}
