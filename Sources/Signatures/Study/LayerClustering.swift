import Engine

/// The clustering of one layer's signatures: K-means for every candidate k, the silhouette of all
/// of them from one pass, the k of highest silhouette, or a fixed k. (Codable for the study's
/// journal.)
struct LayerClustering: Codable {
    /// Every candidate k tried, with its silhouette and inertia (empty for a fixed k).
    let candidates: [KCandidate]
    /// The final clustering.
    let chosen: KMeansResult
    /// Its mean silhouette; nil for a layer that could not be clustered (one cluster of all).
    let silhouette: Double?
    /// Seconds spent in K-means and in the silhouette pass.
    let kMeansSeconds: Double
    let silhouetteSeconds: Double

    /// Clusters `matrix` with `k` clusters if given, else with the candidate of `kRange` whose mean
    /// silhouette is highest (the smallest k on a tie). A candidate k the points cannot have (fewer
    /// distinct signatures than k) is skipped and recorded without scores. When no candidate can be
    /// clustered (a dead layer: every signature alike), the layer is one cluster of every image,
    /// without a silhouette, so that the study's other layers and seeds still count.
    ///
    /// - Throws: engine errors.
    init(_ matrix: PointMatrix, layer: String, k fixed: Int?, kRange: ClosedRange<Int>, restarts: Int, seed: UInt64,
         progress: ((String) -> Void)? = nil) throws {
        let ks = fixed.map { [$0] } ?? Array(kRange)
        var results: [KMeansResult?] = []
        var clock = ContinuousClock.now
        for k in ks {
            progress?("\(layer): K-means with k = \(k), \(restarts) restarts")
            do {
                results.append(try KMeans(KMeansConfiguration(clusters: k, restarts: restarts, seed: seed)).fit(matrix))
            } catch SignaturesError.insufficientData {
                results.append(nil)
            }
        }
        let fitted = results.compactMap { $0 }
        guard !fitted.isEmpty else {
            chosen = try KMeans(KMeansConfiguration(clusters: 1, restarts: 1, seed: seed)).fit(matrix)
            kMeansSeconds = clock.secondsSince()
            silhouette = nil
            silhouetteSeconds = 0
            candidates = zip(ks, results).map { k, _ in KCandidate(k: k, silhouette: nil, inertia: nil) }
            return
        }
        kMeansSeconds = clock.secondsSince()
        clock = ContinuousClock.now
        progress?("\(layer): exact silhouette of \(fitted.count) clusterings of \(matrix.rows) points")
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
