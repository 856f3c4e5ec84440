import SplitMix

/// Random numbers addressed by (seed, index) rather than drawn in sequence: a counter-based
/// generator, so that every element of a dropout mask can be computed independently, in any
/// order, by any thread or work-item, and come out the same on every backend.
///
/// The key is the seed mixed once by SplitMix64's output function (so that nearby seeds, 1, 2, 3,
/// give unrelated masks). Each element is two rounds of Chris Wellons' `lowbias32` hash over
/// `index * golden ratio + low key`, the high key xored in between: 32-bit arithmetic, which
/// AVX2 runs eight lanes at a time (SplitMix64's 64-bit multiplies per element cost 9% of a
/// cnn epoch). `Kernels/elementwise.cl` (`dropout_mask`) computes exactly this in `uint`.
enum CounterRandom {
    /// The per-call key the kernels receive, derived from the caller's seed: SplitMix64's first
    /// output for that seed.
    static func key(seed: UInt64) -> UInt64 { SplitMix64.mix(seed &+ SplitMix64.gamma) }

    /// Wellons' `lowbias32`: a 32-bit bijection with low avalanche bias.
    @inline(__always)
    static func lowbias32(_ value: UInt32) -> UInt32 {
        var x = value
        x ^= x >> 16
        x &*= 0x7FEB_352D
        x ^= x >> 15
        x &*= 0x846C_A68B
        return x ^ (x >> 16)
    }

    /// A float uniform in `[0, 1)` with 24 random bits, exact in float32 on every backend.
    @inline(__always)
    static func uniform(key: UInt64, index: Int) -> Float {
        let first = lowbias32(UInt32(truncatingIfNeeded: index) &* 0x9E37_79B9 &+ UInt32(truncatingIfNeeded: key))
        let bits = lowbias32(first ^ UInt32(truncatingIfNeeded: key >> 32))
        return Float(bits >> 8) * (1.0 / 16_777_216.0)
    }
}
