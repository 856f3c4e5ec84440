import Engine
@testable import Signatures
import Testing

/// The k-means++ seeding of several restarts side by side (`KMeansPlusPlus.seed`) against what
/// it must equal: the seedings one restart at a time from the same generator, and its own
/// claims about each point's nearest seeds.
@Suite("k-means++ seeding")
struct KMeansPlusPlusTests {
    /// Restarts seeded side by side (in batches of `KMeansPlusPlus.batch`) choose the seeds that
    /// one restart at a time would, each taking the generator where the last one left it, and
    /// leave it at the same state.
    @Test func sideBySideSeedsAsOneAtATime() throws {
        let blobs = gaussianBlobs(centers: [[0, 0, 0, 0, 0], [4, 0, 1, 0, 2], [0, 5, 2, 1, 0], [3, 3, 3, 3, 3]],
                                  perBlob: 150, spread: 1.5, seed: 4)
        for backend in try ClusteringBackends.all() {
            let matrix = try PointMatrix(blobs.points, rows: 600, columns: 5, backend: backend)
            // 20 restarts: more than one batch side by side.
            for (k, restarts) in [(1, 4), (2, 20), (7, 4)] {
                var together = SeededGenerator(seed: 17), alone = SeededGenerator(seed: 17)
                let sideBySide = try KMeansPlusPlus.seed(matrix, k: k, restarts: restarts, generator: &together)
                let oneAtATime = try (0..<restarts).map { _ in try KMeansPlusPlus.seed(matrix, k: k, restarts: 1, generator: &alone)[0] }
                #expect(sideBySide.map(\.seeds) == oneAtATime.map(\.seeds), "\(backend.kind) k=\(k)")
                #expect(sideBySide.map(\.nearest) == oneAtATime.map(\.nearest), "\(backend.kind) k=\(k)")
                #expect(together == alone, "\(backend.kind) k=\(k): the generator's state afterwards")
                #expect(Set(sideBySide.map(\.seeds)).count > 1, "\(backend.kind) k=\(k): the restarts draw differently")
            }
        }
    }

    /// Every point's nearest seed and its two smallest squared distances, as counted by hand in
    /// float64 (within float32 rounding of the backend's products).
    @Test func nearestSeedsAreTheNearest() throws {
        let blobs = gaussianBlobs(centers: [[0, 0, 0], [5, 1, 0], [1, 6, 2]], perBlob: 100, spread: 1, seed: 8)
        let d = 3
        for backend in try ClusteringBackends.all() {
            let matrix = try PointMatrix(blobs.points, rows: 300, columns: d, backend: backend)
            var generator = SeededGenerator(seed: 2)
            for seeding in try KMeansPlusPlus.seed(matrix, k: 5, restarts: 3, generator: &generator) {
                #expect(Set(seeding.seeds).count == 5, "\(backend.kind): distinct seeds \(seeding.seeds)")
                for i in 0..<300 {
                    let squared = seeding.seeds.map { s in
                        (0..<d).reduce(0.0) { sum, j in
                            let difference = Double(blobs.points[i * d + j]) - Double(blobs.points[s * d + j])
                            return sum + difference * difference
                        }
                    }
                    let sorted = squared.sorted()
                    #expect(abs(Double(seeding.nearestSquared[i]) - sorted[0]) <= 1e-4 * max(sorted[0], 1), "\(backend.kind) point \(i)")
                    #expect(abs(Double(seeding.secondSquared[i]) - sorted[1]) <= 1e-4 * max(sorted[1], 1), "\(backend.kind) point \(i)")
                    #expect(squared[Int(seeding.nearest[i])] <= sorted[0] + 1e-4 * max(sorted[0], 1), "\(backend.kind) point \(i)")
                }
            }
        }
    }
}
