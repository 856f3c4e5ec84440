/// Random numbers addressed by (seed, index) rather than drawn in sequence: a counter-based
/// generator, so that every element of a dropout mask can be computed independently, in any
/// order, by any thread or work-item, and come out the same on every backend.
///
/// The function is SplitMix64's output mix of `key + (index + 1) * golden gamma`, where the key
/// is the seed mixed once by the same function (so that nearby seeds, 1, 2, 3, give unrelated
/// masks). `Kernels/elementwise.cl` (`dropout_mask`) computes exactly this in 64-bit `ulong`.
enum CounterRandom {
    static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// SplitMix64's output function: a bijection of 64-bit words with good avalanche.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The per-call key the kernels receive, derived from the caller's seed.
    static func key(seed: UInt64) -> UInt64 { mix(seed &+ gamma) }

    /// A float uniform in `[0, 1)` with 24 random bits, exact in float32 on every backend.
    static func uniform(key: UInt64, index: Int) -> Float {
        let bits = mix(key &+ (UInt64(index) &+ 1) &* gamma)
        return Float(bits >> 40) * (1.0 / 16_777_216.0)
    }
}
