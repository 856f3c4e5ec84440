import SplitMix

/// The one random generator Signet uses: xoshiro256** seeded through SplitMix64.
///
/// Passed explicitly (`inout`) to whatever needs randomness, so that one seed reproduces a whole
/// run: initialisation, shuffling, dropout, K-means seeding. Its state is plain data so that
/// checkpoints can store and restore it exactly.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable, Codable {
    /// The four 64-bit words of xoshiro256** state.
    public private(set) var state: [UInt64]

    /// A generator whose whole sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var splitMix = SplitMix64(seed: seed)
        state = (0..<4).map { _ in splitMix.next() }
    }

    /// Restores a generator from saved state (four words, not all zero).
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        self.state = state
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotateLeft(state[3], 45)
        return result
    }

    /// A float uniform in `[range.lowerBound, range.upperBound)`, from the top 24 bits.
    public mutating func nextFloat(in range: Range<Float> = 0..<1) -> Float {
        let unit = Float(next() >> 40) * (1.0 / 16_777_216.0)
        return range.lowerBound + unit * (range.upperBound - range.lowerBound)
    }

    /// An integer uniform in `0..<bound`, by rejection (no modulo bias). Our own rather than the
    /// standard library's `random(in:using:)`, whose algorithm may change between Swift versions:
    /// a checkpoint must resume the same sequence on any toolchain.
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "nextIndex(below:) needs a positive bound")
        let range = UInt64(bound)
        let limit = UInt64.max - UInt64.max % range
        var value = next()
        while value >= limit { value = next() }
        return Int(value % range)
    }

    /// Shuffles `array` in place (Fisher-Yates, from the end), reproducibly for a given state.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, nextIndex(below: i + 1))
        }
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
