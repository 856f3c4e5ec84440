/// Steele, Lea and Flood's SplitMix64: a tiny seeded generator, and the one copy of its mixer.
///
/// Its own module, below everything that needs it: the Engine seeds `SeededGenerator` with it
/// and keys the dropout hash with its output function, and Datasets draws random subsets with
/// it. Datasets depends on nothing else in Signet (and must not learn about the Engine to pick
/// images), so neither of those modules can be the home; a leaf module lets both share one
/// definition instead of carrying copies that could drift apart.
///
/// The sequence is fixed by the seed on every platform, which keeps a random subset, an
/// initialization and a dropout mask the same from one run (and one machine) to the next:
/// changing anything here changes users' results.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The increment of the generator's state: 2^64 divided by the golden ratio, made odd.
    public static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    @usableFromInline var state: UInt64

    /// A generator whose whole sequence is fixed by `seed`.
    @inlinable
    public init(seed: UInt64) { state = seed }

    /// The next value: the state advanced by `gamma`, then mixed.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= Self.gamma
        return Self.mix(state)
    }

    /// The generator's output function (Stafford's variant 13 of the MurmurHash3 finalizer): a
    /// bijection of 64-bit words with good avalanche, so nearby inputs give unrelated outputs.
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value uniform in `0..<bound`, without modulo bias (Lemire's multiply-and-reject).
    ///
    /// Our own rather than the standard library's `random(in:using:)`, whose algorithm may change
    /// between Swift versions: a random subset must be the same on every toolchain.
    @inlinable
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let limit = UInt64(bound)
        while true {
            let product = next().multipliedFullWidth(by: limit)
            if product.low >= (0 &- limit) % limit { return Int(product.high) }
        }
    }
}
