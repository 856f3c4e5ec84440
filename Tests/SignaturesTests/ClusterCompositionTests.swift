import Signatures
import Testing

@Suite("Cluster composition (purity, label concentration)")
struct ClusterCompositionTests {
    /// Ratios of integer counts: exact up to one division, so 1e-10 is loose.
    @Test(arguments: try LabelingRun.all())
    func matchesTheReference(run: LabelingRun) throws {
        let composition = try ClusterComposition(labels: run.labels, clusters: run.clusters)
        #expect(metricIsClose(composition.purity, run.purity, absolute: 1e-10))
        #expect(composition.labels == run.concentration.keys.sorted())
        for (label, expected) in run.concentration {
            let concentration = try #require(composition.concentration(ofLabel: label))
            #expect(metricIsClose(concentration, expected, absolute: 1e-10), "label \(label)")
        }
    }

    @Test func countsByHand() throws {
        // Cluster 20: three 1s and a 2; cluster 30: two 2s; cluster 40: a 2 and a 5.
        let composition = try ClusterComposition(labels: [1, 1, 1, 2, 2, 2, 2, 5], clusters: [20, 20, 20, 20, 30, 30, 40, 40])
        #expect(composition.purity == 6.0 / 8)
        #expect(composition.labels == [1, 2, 5])
        #expect(composition.concentration == [1, 0.5, 1])
        // Label 2 has two points in cluster 30 and none more anywhere: 30. Label 5 only in 40.
        #expect(composition.dominantCluster == [20, 30, 40])
        #expect(composition.concentration(ofLabel: 3) == nil)
    }

    /// On a tie the smallest cluster is the dominant one, so reports are reproducible.
    @Test func tiesGoToTheSmallestCluster() throws {
        let composition = try ClusterComposition(labels: [0, 0, 0, 0], clusters: [9, 4, 9, 4])
        #expect(composition.dominantCluster == [4])
        #expect(composition.concentration == [0.5])
        #expect(composition.purity == 1)
    }

    @Test func refusesMismatchedOrEmptyInput() {
        #expect(throws: SignaturesError.self) { try ClusterComposition(labels: [0], clusters: [0, 1]) }
        #expect(throws: SignaturesError.self) { try ClusterComposition(labels: [UInt8](), clusters: [Int]()) }
    }
}
