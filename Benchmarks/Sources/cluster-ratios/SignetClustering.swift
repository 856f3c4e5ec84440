import Engine
import Foundation
import Signatures

/// Signet's side of the comparison on one layer and one backend: the K-means sweep, then one
/// silhouette pass over all of its labelings.
struct SignetClustering {
    var results: [Int: KMeansResult] = [:]
    var kMeansSeconds: [Int: Double] = [:]
    var silhouettes: [Int: Double] = [:]
    var silhouetteSeconds = 0.0
    var uploadSeconds = 0.0

    static func run(_ values: [Float], rows: Int, columns: Int, backend: any Backend, ks: ClosedRange<Int>,
                    restarts: Int, seed: UInt64, silhouette: Bool = true) throws -> SignetClustering {
        var outcome = SignetClustering()
        var start = Date()
        let matrix = try PointMatrix(values, rows: rows, columns: columns, backend: backend)
        try backend.synchronize()
        outcome.uploadSeconds = Date().timeIntervalSince(start)
        for k in ks {
            start = Date()
            outcome.results[k] = try KMeans(KMeansConfiguration(clusters: k, restarts: restarts, seed: seed)).fit(matrix)
            outcome.kMeansSeconds[k] = Date().timeIntervalSince(start)
        }
        guard silhouette else { return outcome }
        start = Date()
        let scores = try Silhouette().scores(of: ks.map { outcome.results[$0]!.assignments }, on: matrix)
        outcome.silhouetteSeconds = Date().timeIntervalSince(start)
        outcome.silhouettes = Dictionary(uniqueKeysWithValues: zip(ks, scores))
        return outcome
    }

    var totalKMeansSeconds: Double { kMeansSeconds.values.reduce(0, +) }
}
