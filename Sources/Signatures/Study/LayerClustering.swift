import Engine

/// The clustering of one layer's signatures: K-means for every candidate k, the silhouette of all
/// of them from one pass, the k of highest silhouette, or a fixed k.
struct LayerClustering {
    /// Every candidate k tried, with its silhouette and inertia (empty for a fixed k).
    let candidates: [KCandidate]
    /// The final clustering.
    let chosen: KMeansResult
    /// Its mean silhouette.
    let silhouette: Double
    /// Seconds spent in K-means and in the silhouette pass.
    let kMeansSeconds: Double
    let silhouetteSeconds: Double

    /// Clusters `matrix` with `k` clusters if given, else with the candidate of `kRange` whose mean
    /// silhouette is highest (the smallest k on a tie). A candidate k the points cannot have (fewer
    /// distinct signatures than k) is skipped and recorded without scores.
    ///
    /// - Throws: `SignaturesError.insufficientData` when no candidate can be clustered (every
    ///   signature alike); engine errors.
    init(_ matrix: PointMatrix, layer: String, k fixed: Int?, kRange: ClosedRange<Int>, restarts: Int, seed: UInt64) throws {
        let ks = fixed.map { [$0] } ?? Array(kRange)
        var results: [KMeansResult?] = []
        var clock = ContinuousClock.now
        for k in ks {
            do {
                results.append(try KMeans(KMeansConfiguration(clusters: k, restarts: restarts, seed: seed)).fit(matrix))
            } catch SignaturesError.insufficientData {
                results.append(nil)
            }
        }
        kMeansSeconds = clock.secondsSince()
        let fitted = results.compactMap { $0 }
        guard !fitted.isEmpty else {
            throw SignaturesError.insufficientData(
                "layer \(layer): its \(matrix.rows) signatures have fewer than \(ks.min()!) distinct values; nothing to cluster (a dead layer?)")
        }
        clock = ContinuousClock.now
        let scores = try Silhouette().scores(of: fitted.map(\.assignments), on: matrix)
        silhouetteSeconds = clock.secondsSince()
        var scoreOf: [Int: Double] = [:]
        for (result, score) in zip(fitted, scores) { scoreOf[result.clusters] = score }
        // The first maximum in k order: the smallest k wins a tie.
        var best = 0
        for index in fitted.indices where scores[index] > scores[best] { best = index }
        chosen = fitted[best]
        silhouette = scores[best]
        candidates = fixed != nil ? [] : zip(ks, results).map { k, result in
            KCandidate(k: k, silhouette: scoreOf[k], inertia: result?.inertia)
        }
    }
}

extension ContinuousClock.Instant {
    /// Seconds from this instant to now.
    func secondsSince() -> Double {
        let elapsed = ContinuousClock.now - self
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
