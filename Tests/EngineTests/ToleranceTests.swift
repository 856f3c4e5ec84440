import Engine
import Testing

/// `Tolerance.worstError`, the one comparison behind every parity test and `signet selftest`.
@Suite("Tolerance and worst error")
struct ToleranceTests {
    let loose = Tolerance(absolute: 1e-3, relative: 1e-3)

    @Test func scalesTheDifferenceByTheBound() {
        #expect(Tolerance(absolute: 0.5, relative: 0).worstError([1.25, 3], [1, 3]) == 0.5)
        #expect(Tolerance(absolute: 0, relative: 0.5).worstError([5], [4]) == 0.5)
        #expect(Tolerance(absolute: 0.25, relative: 0).worstError([1, 2, 3], [1, 1.5, 3]) == 2)
    }

    /// inf / inf is NaN, and `max` drops a NaN: without a rule of its own, any value passed
    /// where the reference is infinite.
    @Test func anInfiniteExpectedValueIsMatchedOnlyByTheSameInfinity() {
        #expect(loose.worstError([1], [.infinity]) == .infinity)
        #expect(loose.worstError([.greatestFiniteMagnitude], [.infinity]) == .infinity)
        #expect(loose.worstError([-.infinity], [.infinity]) == .infinity)
        #expect(loose.worstError([.infinity], [1]) == .infinity)
        #expect(Tolerance.exact.worstError([0], [-.infinity]) == .infinity)
        #expect(loose.worstError([2, .infinity, -.infinity], [2, .infinity, -.infinity]) == 0)
    }

    @Test func nanAgreesOnlyWithNaN() {
        #expect(loose.worstError([.nan], [.nan]) == 0)
        #expect(loose.worstError([.nan], [1]) == .infinity)
        #expect(loose.worstError([1], [.nan]) == .infinity)
        // A NaN after a worse value does not hide it, nor a worse value after the NaN.
        #expect(loose.worstError([1, .nan], [2, .nan]) > 1)
    }

    @Test func exactMeansTheSameBits() {
        #expect(Tolerance.exact.worstError([1, -0.0], [1, 0]) == 0)
        #expect(Tolerance.exact.worstError([Float(1).nextUp], [1]) == .infinity)
    }

    @Test func differentLengthsNeverPass() {
        #expect(loose.worstError([1, 2], [1]) == .infinity)
        #expect(loose.worstError([], []) == 0)
    }
}
