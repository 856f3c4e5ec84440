import Foundation
import Signatures
import Testing

@Suite("Path rarity")
struct PathRarityTests {
    /// Each score is one logarithm of a ratio of counts; the AUC is exact up to one division.
    @Test func scoresAndAUCMatchTheReference() throws {
        let block = try StudyMetricsFixture.block("path_rarity")
        let analysis = try StudyMetricsFixture.intRows(block["analysis_paths"])
        let placed = try StudyMetricsFixture.intRows(block["placed_paths"])
        let anomalous = try StudyMetricsFixture.ints(block["placed_is_anomaly"]).map { $0 == 1 }
        let expectedScores = try StudyMetricsFixture.doubles(block["scores"])
        let expectedAUC = try StudyMetricsFixture.double(block["auc"])

        let rarity = try PathRarity(analysisPaths: analysis)
        #expect(rarity.layers == 2 && rarity.analysisCount == 120)
        let scores = try rarity.scores(placed)
        #expect(scores.count == expectedScores.count)
        for (index, (ours, theirs)) in zip(scores, expectedScores).enumerated() {
            #expect(metricIsClose(ours, theirs, relative: 1e-12, absolute: 1e-15), "placed path \(index)")
        }
        #expect(metricIsClose(try rocAUC(scores: scores, positive: anomalous), expectedAUC, absolute: 1e-12))
    }

    @Test func countsWholePaths() throws {
        let rarity = try PathRarity(analysisPaths: [[0, 1], [0, 1], [1, 0], [0, 2]])
        #expect(rarity.occurrences(of: [0, 1]) == 2)
        // Same clusters as a seen path, in another order: a different path.
        #expect(rarity.occurrences(of: [1, 0]) == 1 && rarity.occurrences(of: [2, 0]) == 0)
        #expect(try rarity.score([0, 1]) == -log(3.0 / 5))
        #expect(metricIsClose(try rarity.score([7, 7]), log(5.0), relative: 1e-15))
        #expect(try rarity.score([0, 1]) < rarity.score([1, 0]))
    }

    @Test func refusesMalformedPaths() throws {
        #expect(throws: SignaturesError.insufficientData("no analysis paths to compare with")) {
            try PathRarity(analysisPaths: [])
        }
        #expect(throws: SignaturesError.invalidArgument("a path needs at least one layer")) {
            try PathRarity(analysisPaths: [[], []])
        }
        #expect(throws: SignaturesError.sizeMismatch("analysis path 2 has 1 layers, path 0 has 2")) {
            try PathRarity(analysisPaths: [[0, 1], [1, 1], [1]])
        }
        let rarity = try PathRarity(analysisPaths: [[0, 1]])
        #expect(throws: SignaturesError.sizeMismatch("a path of 3 layers scored against paths of 2")) {
            try rarity.scores([[0, 1], [0, 1, 2]])
        }
    }
}
