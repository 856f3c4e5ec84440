/// How far one backend's values may stray from a reference's: `absolute + relative * |reference|`
/// per value.
///
/// The presets are the self-test's, by kind of operation; parity tests make their own.
public struct Tolerance: Sendable, Equatable {
    /// The part of the bound that does not grow with the value (for results near 0).
    public var absolute: Float
    /// The part of the bound proportional to the reference value's magnitude.
    public var relative: Float

    public init(absolute: Float, relative: Float) {
        precondition(absolute >= 0 && relative >= 0, "a tolerance is not negative (or NaN)")
        self.absolute = absolute
        self.relative = relative
    }

    /// Products and convolutions: long dot products, accumulated in another order (and
    /// blocking) on each backend.
    public static let product = Tolerance(absolute: 1e-5, relative: 1e-4)
    /// Sums over rows or positions, in another order on each backend.
    public static let reduction = Tolerance(absolute: 1e-5, relative: 1e-5)
    /// Column sums of `rows` values in [-1, 1): they cancel, and the rounding grows with the
    /// partial sums (about sqrt(rows) in size), not with the final sum, which may be near 0.
    /// At 86528 rows the CPU and OpenCL sums are each up to ~3e-4 off the exact sum, a tenth
    /// of this tolerance; `reduction` is the tighter one for a few rows.
    public static func sum(ofRows rows: Int) -> Tolerance {
        Tolerance(absolute: 1e-5 * Float(rows).squareRoot(), relative: 1e-5)
    }
    /// Elementwise math: FMA contraction and the device's exp / tanh differ in the last bits.
    public static let elementwise = Tolerance(absolute: 1e-6, relative: 1e-5)
    /// One rounding or none (a maximum, a selection, a single add or multiply, the dropout
    /// hash): every backend must give the same bits.
    public static let exact = Tolerance(absolute: 0, relative: 0)

    /// The largest `|actual - expected| / (absolute + relative * |expected|)`, so that values
    /// within tolerance everywhere give at most 1.
    ///
    /// Equal values (infinities of the same sign included) and NaN against NaN count 0: the two
    /// sides computed the same thing. Anything else no tolerance can cover gives infinity: NaN
    /// against a number, an infinity against any other value, arrays of different lengths.
    /// Infinities need their own rule because the formula gives inf / inf = NaN for them, and
    /// `max` drops a NaN: a helper without it passes any value where the reference is infinite.
    ///
    /// - Complexity: O(count).
    public func worstError(_ actual: [Float], _ expected: [Float]) -> Float {
        guard actual.count == expected.count else { return .infinity }
        var worst: Float = 0
        for (a, e) in zip(actual, expected) {
            if a == e || (a.isNaN && e.isNaN) { continue }
            guard a.isFinite, e.isFinite else { return .infinity }
            // a != e, so the difference is positive (subnormals keep it from rounding to 0) and
            // a bound of 0 (`exact`) gives infinity; a NaN would need an infinite bound.
            let error = abs(a - e) / (absolute + relative * abs(e))
            worst = error.isNaN ? .infinity : max(worst, error)
        }
        return worst
    }
}
