import SplitMix
import Testing

/// SplitMix64's sequence is part of every seeded result (random subsets, initial weights,
/// dropout masks): these values pin it, so a change to the generator fails here first.
@Suite("SplitMix64")
struct SplitMix64Tests {
    /// Seed 0 of Vigna's reference `splitmix64.c`.
    @Test func matchesTheReferenceSequence() {
        var generator = SplitMix64(seed: 0)
        #expect([generator.next(), generator.next(), generator.next()]
            == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }

    @Test func nextIsTheMixOfTheAdvancedState() {
        var generator = SplitMix64(seed: 12345)
        #expect(generator.next() == SplitMix64.mix(12345 &+ SplitMix64.gamma))
    }

    /// Lemire's multiply-and-reject on seed 42, bound 10 (computed independently in Python).
    @Test func boundedDrawsArePinned() {
        var generator = SplitMix64(seed: 42)
        #expect((0..<8).map { _ in generator.next(below: 10) } == [7, 1, 2, 3, 0, 8, 2, 8])
    }
}
