import Engine
import Testing
@testable import Signatures

@Suite("Layer clustering")
struct LayerClusteringTests {
    @Test func aDeadLayerIsOneClusterWithoutASilhouette() throws {
        // Every signature alike, as a layer of dead ReLUs leaves them: no k >= 2 exists.
        let matrix = try PointMatrix([Float](repeating: 0.5, count: 40 * 3), rows: 40, columns: 3, backend: CPUBackend())
        let clustering = try LayerClustering(matrix, layer: "hidden_2", k: nil, kRange: 2...4, restarts: 2, seed: 1)
        #expect(clustering.chosen.clusters == 1)
        #expect(clustering.chosen.assignments == [Int32](repeating: 0, count: 40))
        #expect(clustering.silhouette == nil)
        #expect(clustering.candidates.map(\.k) == [2, 3, 4])
        #expect(clustering.candidates.allSatisfy { $0.silhouette == nil && $0.inertia == nil })
    }

    @Test func candidatesBeyondTheDistinctSignaturesAreSkipped() throws {
        // Three distinct signatures: k = 2 and 3 exist, k = 4 does not.
        var values: [Float] = []
        for i in 0..<30 { values += [Float(i % 3), 0] }
        let matrix = try PointMatrix(values, rows: 30, columns: 2, backend: CPUBackend())
        let clustering = try LayerClustering(matrix, layer: "hidden_1", k: nil, kRange: 2...4, restarts: 2, seed: 1)
        #expect(clustering.candidates.map { $0.silhouette != nil } == [true, true, false])
        #expect(clustering.chosen.clusters == 3, "three exact groups: the silhouette of k = 3 is 1")
        #expect(clustering.silhouette == 1)
    }
}
