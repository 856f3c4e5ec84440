import Signatures
import Testing

/// One run of the fixture's `labelings` block: a clustering of its 300 labelled points.
struct LabelingRun: CustomTestStringConvertible {
    let k: Int
    let labels: [Int], clusters: [Int]
    let ari: Double, nmi: Double, purity: Double
    let concentration: [Int: Double]

    var testDescription: String { "k = \(k)" }

    static func all() throws -> [LabelingRun] {
        let block = try StudyMetricsFixture.block("labelings")
        let labels = try StudyMetricsFixture.ints(block["labels"])
        return try StudyMetricsFixture.list(block["runs"]).map { entry in
            guard let run = entry as? [String: Any], let perLabel = run["concentration_per_label"] as? [String: Any] else {
                throw FixtureError("a labelings run is not an object")
            }
            let concentration = try Dictionary(uniqueKeysWithValues: perLabel.map { key, value in
                guard let label = Int(key) else { throw FixtureError("label key \(key) is not an integer") }
                return (label, try StudyMetricsFixture.double(value))
            })
            return LabelingRun(k: try StudyMetricsFixture.int(run["k"]), labels: labels,
                               clusters: try StudyMetricsFixture.ints(run["clusters"]),
                               ari: try StudyMetricsFixture.double(run["ari"]), nmi: try StudyMetricsFixture.double(run["nmi"]),
                               purity: try StudyMetricsFixture.double(run["purity"]), concentration: concentration)
        }
    }
}

@Suite("Cluster agreement (adjusted Rand index, normalized mutual information)")
struct ClusterAgreementTests {
    /// Both scores are sums of a few hundred Double terms at most: 1e-10 absolute is far above
    /// their rounding and far below any formula mistake.
    @Test(arguments: try LabelingRun.all())
    func matchesScikitLearn(run: LabelingRun) throws {
        let agreement = try ClusterAgreement(labels: run.labels, clusters: run.clusters)
        #expect(metricIsClose(agreement.adjustedRandIndex, run.ari, absolute: 1e-10))
        #expect(metricIsClose(agreement.normalizedMutualInformation, run.nmi, absolute: 1e-10))
    }

    /// Renaming labels or clusters (to non-contiguous, even negative values) changes nothing.
    @Test(arguments: try LabelingRun.all())
    func ignoresTheNamesOfLabelsAndClusters(run: LabelingRun) throws {
        let renamed = try ClusterAgreement(labels: run.labels.map { 100 - 7 * $0 }, clusters: run.clusters.map { Int32($0 * 10 + 3) })
        #expect(metricIsClose(renamed.adjustedRandIndex, run.ari, absolute: 1e-10))
        #expect(metricIsClose(renamed.normalizedMutualInformation, run.nmi, absolute: 1e-10))
    }

    /// Values from scikit-learn's documentation of the two scores.
    @Test func documentedExamples() throws {
        let partial = try ClusterAgreement(labels: [0, 0, 1, 2], clusters: [0, 0, 1, 1])
        #expect(metricIsClose(partial.adjustedRandIndex, 4.0 / 7, absolute: 1e-15))
        let discordant = try ClusterAgreement(labels: [0, 0, 1, 1], clusters: [0, 1, 0, 1])
        #expect(metricIsClose(discordant.adjustedRandIndex, -0.5, absolute: 1e-15))
        #expect(discordant.normalizedMutualInformation == 0)
        let renamed = try ClusterAgreement(labels: [0, 0, 1, 1], clusters: [1, 1, 0, 0])
        #expect(renamed.adjustedRandIndex == 1 && renamed.normalizedMutualInformation == 1)
    }

    /// scikit-learn's limit cases, where the general formulas would divide 0 by 0.
    @Test func specialCasesAsScikitLearn() throws {
        let oneEach = try ClusterAgreement(labels: [4, 4, 4], clusters: [9, 9, 9])
        #expect(oneEach.adjustedRandIndex == 1 && oneEach.normalizedMutualInformation == 1)
        let singletons = try ClusterAgreement(labels: [0, 1, 2, 3], clusters: [3, 2, 1, 0])
        #expect(singletons.adjustedRandIndex == 1 && singletons.normalizedMutualInformation == 1)
        let onePoint = try ClusterAgreement(labels: [5], clusters: [2])
        #expect(onePoint.adjustedRandIndex == 1 && onePoint.normalizedMutualInformation == 1)
        // One class against several clusters (and the reverse): no information shared.
        let split = try ClusterAgreement(labels: [0, 0, 0, 0], clusters: [0, 1, 2, 3])
        #expect(split.adjustedRandIndex == 0 && split.normalizedMutualInformation == 0)
        let merged = try ClusterAgreement(labels: [0, 1, 1, 2], clusters: [1, 1, 1, 1])
        #expect(merged.adjustedRandIndex == 0 && merged.normalizedMutualInformation == 0)
    }

    @Test func refusesMismatchedOrEmptyInput() {
        #expect(throws: SignaturesError.self) { try ClusterAgreement(labels: [0, 1], clusters: [0]) }
        #expect(throws: SignaturesError.self) { try ClusterAgreement(labels: [Int](), clusters: [Int]()) }
    }
}
