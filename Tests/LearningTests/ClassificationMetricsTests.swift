import Learning
import Testing

@Suite("Classification metrics")
struct ClassificationMetricsTests {
    /// Values as scikit-learn's classification_report gives them for these labels
    /// (y_true = [0,0,0,1,1,2], y_pred = [0,1,0,1,2,2]).
    @Test func matchScikitLearn() {
        let m = ClassificationMetrics(predicted: [0, 1, 0, 1, 2, 2], actual: [0, 0, 0, 1, 1, 2], classes: 3)
        #expect(m.confusion == [[2, 1, 0], [0, 1, 1], [0, 0, 1]])
        #expect(abs(m.accuracy - 4.0 / 6) < 1e-12)
        #expect(m.precision.map { ($0 * 1000).rounded() / 1000 } == [1.0, 0.5, 0.5])
        #expect(m.recall.map { ($0 * 1000).rounded() / 1000 } == [0.667, 0.5, 1.0])
        #expect(m.f1.map { ($0 * 1000).rounded() / 1000 } == [0.8, 0.5, 0.667])
        #expect(m.support == [3, 2, 1])
    }

    @Test func absentClassesScoreZero() {
        let m = ClassificationMetrics(predicted: [0, 0], actual: [0, 0], classes: 2)
        #expect(m.precision == [1, 0] && m.recall == [1, 0] && m.f1 == [1, 0])
    }

    @Test func argmaxTakesTheFirstOfTies() {
        #expect(ClassificationMetrics.argmax([0.2, 0.5, 0.5, 0.9, 0.05, 0.05], classes: 3) == [1, 0])
    }
}
