import Engine
import Testing

/// The generator's seeding is part of every seeded result (initial weights, shuffling): pinned to
/// SplitMix64 values computed outside Swift, so the shared mixer cannot drift unnoticed.
@Suite("Seeded generator")
struct SeededGeneratorTests {
    @Test func stateIsTheFirstFourSplitMix64Outputs() {
        #expect(SeededGenerator(seed: 7).state
            == [0x63CB_E1E4_5932_0DD7, 0x044C_3CD7_F43C_661C, 0xE698_4080_BAB1_2A02, 0x953A_EB70_673E_29CB])
    }
}
