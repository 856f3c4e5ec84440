import SplitMix

/// One benchmark problem: `C = A · B` with A, B and C all `n x n` float32, row-major,
/// alpha 1, beta 0, no transposes, no epilogue.
///
/// A and B hold the same values for every contender (a fixed seed per size), so that their
/// results can be compared with each other.
public struct SquareGEMM: Sendable {
    public let n: Int
    public let a: [Float]
    public let b: [Float]

    /// The sizes the issue asks about.
    public static let standardSizes = [128, 256, 512, 1024, 2048]

    /// A problem of size `n`, its inputs uniform in [-1, 1) from a generator seeded with `n`.
    public init(n: Int) {
        precondition(n > 0, "a GEMM benchmark needs n > 0")
        self.n = n
        var generator = SplitMix64(seed: 0x5167_4E45_5400 &+ UInt64(n))
        a = (0..<(n * n)).map { _ in generator.nextSymmetricUnitFloat() }
        b = (0..<(n * n)).map { _ in generator.nextSymmetricUnitFloat() }
    }

    /// Floating-point operations in one multiply: `2 n^3` (one multiply and one add per term).
    public var flops: Double { 2 * Double(n) * Double(n) * Double(n) }

    /// GFLOP/s of one multiply that took `seconds`.
    public func gigaflops(seconds: Double) -> Double { flops / seconds / 1e9 }
}

extension SplitMix64 {
    /// Uniform in [-1, 1), from the top 24 bits (exactly representable as Float).
    mutating func nextSymmetricUnitFloat() -> Float {
        Float(next() >> 40) * (2 / Float(1 << 24)) - 1
    }
}

/// How far `result` is from `reference`: `max |r - ref| / max |ref|`. Zero for identical arrays.
public func relativeError(_ result: [Float], reference: [Float]) -> Double {
    precondition(result.count == reference.count, "comparing arrays of different lengths")
    var worstDifference: Double = 0, largest: Double = 0
    for (r, ref) in zip(result, reference) {
        worstDifference = max(worstDifference, Double(abs(r - ref)))
        largest = max(largest, Double(abs(ref)))
        if r.isNaN { return .infinity }
    }
    return largest == 0 ? worstDifference : worstDifference / largest
}
