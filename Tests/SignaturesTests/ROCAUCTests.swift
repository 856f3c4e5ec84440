import Signatures
import Testing

@Suite("ROC AUC")
struct ROCAUCTests {
    /// 200 scores with only 6 distinct values, so ties decide much of the area. The win count is
    /// exact in integers and divided once: 1e-12 is loose.
    @Test func matchesScikitLearnWithManyTies() throws {
        let block = try StudyMetricsFixture.block("roc_auc")
        let scores = try StudyMetricsFixture.doubles(block["scores"])
        let positive = try StudyMetricsFixture.ints(block["positive"]).map { $0 == 1 }
        let expected = try StudyMetricsFixture.double(block["auc"])
        #expect(metricIsClose(try rocAUC(scores: scores, positive: positive), expected, absolute: 1e-12))
        // Reversing the scores swaps the roles: the area becomes its complement.
        #expect(metricIsClose(try rocAUC(scores: scores.map { -$0 }, positive: positive), 1 - expected, absolute: 1e-12))
        #expect(metricIsClose(try rocAUC(scores: scores.map(Float.init), positive: positive), expected, absolute: 1e-12))
    }

    @Test func smallCases() throws {
        // scikit-learn's documentation example.
        #expect(try rocAUC(scores: [0.1, 0.4, 0.35, 0.8], positive: [false, false, true, true]) == 0.75)
        #expect(try rocAUC(scores: [1, 1, 1, 1], positive: [true, false, false, true]) == 0.5)
        #expect(try rocAUC(scores: [3, 1, 2], positive: [true, false, false]) == 1)
        #expect(try rocAUC(scores: [-Double.infinity, .infinity], positive: [true, false]) == 0)
        // One positive tied with one of two negatives, above the other: (1 + 1/2) / 2.
        #expect(try rocAUC(scores: [2, 2, 1], positive: [true, false, false]) == 0.75)
    }

    @Test func refusesUndefinedCases() {
        #expect(throws: SignaturesError.insufficientData("ROC AUC needs positives and negatives, got 2 and 0")) {
            try rocAUC(scores: [1.0, 2.0], positive: [true, true])
        }
        #expect(throws: SignaturesError.insufficientData("ROC AUC needs positives and negatives, got 0 and 1")) {
            try rocAUC(scores: [1.0], positive: [false])
        }
        #expect(throws: SignaturesError.self) { try rocAUC(scores: [Double](), positive: []) }
        #expect(throws: SignaturesError.sizeMismatch("3 scores for 2 positive flags")) {
            try rocAUC(scores: [1.0, 2.0, 3.0], positive: [true, false])
        }
        #expect(throws: SignaturesError.invalidArgument("score 1 is NaN")) {
            try rocAUC(scores: [1.0, .nan], positive: [true, false])
        }
    }
}
