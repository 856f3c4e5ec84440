import Engine

/// Seeded inputs of the engine's cases.
enum BenchInputs {
    /// `count` values uniform in [-1, 1) from `seed`.
    static func uniform(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in generator.nextFloat(in: -1..<1) }
    }
}
