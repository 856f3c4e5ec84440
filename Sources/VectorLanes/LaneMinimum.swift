/// The smallest of 16 lanes, its lane and the second smallest, by halving in registers: each
/// step compares the low half with the high half, so ties keep the lower lane.
///
/// Why not `SIMD16.min()`, `pointwiseMin` and a scan for the lane: Swift 6.3 builds them lane by
/// lane, as sixteen dependent scalar compares and branches, or as calls; the nearest-centroid
/// and nearest-neighbour loops take them for every 16 distances, where they cost more than the
/// distances. Only compares whose mask feeds a `replacing` at once are used here: those compile
/// to vector compares and blends.
public enum LaneMinimum {
    /// The lane indices 0 ... 15.
    @usableFromInline @inline(__always)
    static var lanes: SIMD16<Int32> { SIMD16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) }

    /// The smallest lane value (NaN lanes lose to any number).
    @inlinable @inline(__always)
    public static func smallestValue(_ values: SIMD16<Float>) -> Float {
        let v8 = lesser(values.lowHalf, values.highHalf)
        let v4 = lesser(v8.lowHalf, v8.highHalf)
        let v2 = lesser(v4.lowHalf, v4.highHalf)
        return v2[1] < v2[0] ? v2[1] : v2[0]
    }

    /// The smallest lane value and its lane (the lowest on ties; lane 0 when all are NaN).
    @inlinable @inline(__always)
    public static func smallest(_ values: SIMD16<Float>) -> (value: Float, lane: Int32) {
        let (v8, i8) = halve(values.lowHalf, values.highHalf, lanes.lowHalf, lanes.highHalf)
        let (v4, i4) = halve(v8.lowHalf, v8.highHalf, i8.lowHalf, i8.highHalf)
        let (v2, i2) = halve(v4.lowHalf, v4.highHalf, i4.lowHalf, i4.highHalf)
        return v2[1] < v2[0] ? (v2[1], i2[1]) : (v2[0], i2[0])
    }

    /// The smallest lane value, the second smallest (equal to it when two lanes tie), and the
    /// lane of the smallest (the lowest on ties).
    @inlinable @inline(__always)
    public static func smallestTwo(_ values: SIMD16<Float>) -> (value: Float, second: Float, lane: Int32) {
        // Per lane of each half: the smaller of the pair goes on, the larger competes for second.
        let a8 = values.lowHalf, b8 = values.highHalf, take8 = b8 .< a8
        let v8 = a8.replacing(with: b8, where: take8), s8 = b8.replacing(with: a8, where: take8)
        let i8 = lanes.lowHalf.replacing(with: lanes.highHalf, where: take8)
        let a4 = v8.lowHalf, b4 = v8.highHalf, take4 = b4 .< a4
        let v4 = a4.replacing(with: b4, where: take4), l4 = b4.replacing(with: a4, where: take4)
        let i4 = i8.lowHalf.replacing(with: i8.highHalf, where: take4)
        var s4 = lesser(s8.lowHalf, s8.highHalf)
        s4 = lesser(s4, l4)
        let a2 = v4.lowHalf, b2 = v4.highHalf, take2 = b2 .< a2
        let v2 = a2.replacing(with: b2, where: take2), l2 = b2.replacing(with: a2, where: take2)
        let i2 = i4.lowHalf.replacing(with: i4.highHalf, where: take2)
        let s2 = lesser(lesser(s4.lowHalf, s4.highHalf), l2)
        let takeLast = v2[1] < v2[0]
        let value = takeLast ? v2[1] : v2[0], loser = takeLast ? v2[0] : v2[1]
        let secondSoFar = s2[1] < s2[0] ? s2[1] : s2[0]
        return (value, loser < secondSoFar ? loser : secondSoFar, takeLast ? i2[1] : i2[0])
    }

    @usableFromInline @inline(__always)
    static func halve(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ ia: SIMD8<Int32>, _ ib: SIMD8<Int32>)
        -> (SIMD8<Float>, SIMD8<Int32>) {
        let take = b .< a
        return (a.replacing(with: b, where: take), ia.replacing(with: ib, where: take))
    }

    @usableFromInline @inline(__always)
    static func halve(_ a: SIMD4<Float>, _ b: SIMD4<Float>, _ ia: SIMD4<Int32>, _ ib: SIMD4<Int32>)
        -> (SIMD4<Float>, SIMD4<Int32>) {
        let take = b .< a
        return (a.replacing(with: b, where: take), ia.replacing(with: ib, where: take))
    }

    @usableFromInline @inline(__always)
    static func halve(_ a: SIMD2<Float>, _ b: SIMD2<Float>, _ ia: SIMD2<Int32>, _ ib: SIMD2<Int32>)
        -> (SIMD2<Float>, SIMD2<Int32>) {
        let take = b .< a
        return (a.replacing(with: b, where: take), ia.replacing(with: ib, where: take))
    }

    @usableFromInline @inline(__always)
    static func lesser(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a.replacing(with: b, where: b .< a) }

    @usableFromInline @inline(__always)
    static func lesser(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> { a.replacing(with: b, where: b .< a) }

    @usableFromInline @inline(__always)
    static func lesser(_ a: SIMD2<Float>, _ b: SIMD2<Float>) -> SIMD2<Float> { a.replacing(with: b, where: b .< a) }
}
