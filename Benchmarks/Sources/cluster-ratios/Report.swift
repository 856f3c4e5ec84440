import Engine
import Foundation

/// The tables `cluster-ratios` prints: per layer and k, then the totals and ratios we quote.
struct Report {
    struct Key: Hashable {
        var layer: String
        var backend: BackendKind
    }

    let ks: ClosedRange<Int>
    let backends: [BackendKind]
    var header: [String] = []
    var peerFits: [String: [Int: ScikitLearnPeer.Fit]] = [:]
    var signet: [Key: SignetClustering] = [:]
    var peerSilhouettes: [String: [Int: ScikitLearnPeer.Score]] = [:]
    var labelings = 0
    var load: [(String, Double?)] = []

    func print() {
        for line in header { Swift.print(line) }
        let layers = Set(signet.keys.map(\.layer)).sorted()
        Swift.print("\n| layer | k | scikit-learn s | inertia | " + backends.map { "\($0.rawValue) s | \($0.rawValue) inertia / sklearn" }.joined(separator: " | ") + " |")
        Swift.print("| --- | ---: | ---: | ---: | " + backends.map { _ in "---: | ---:" }.joined(separator: " | ") + " |")
        for layer in layers {
            for k in ks {
                let peer = peerFits[layer]?[k]
                var row = "| \(layer) | \(k) | " + (peer.map { "\(f($0.seconds, 2)) | \(f($0.inertia, 0))" } ?? "- | -") + " |"
                for kind in backends {
                    guard let ours = signet[Key(layer: layer, backend: kind)], let result = ours.results[k] else { continue }
                    row += " \(f(ours.kMeansSeconds[k]!, 3)) (\(result.totalIterations) it) | "
                        + (peer.map { f(result.inertia / $0.inertia, 5) } ?? f(result.inertia, 0)) + " |"
                }
                Swift.print(row)
            }
        }

        Swift.print("\n| what | scikit-learn s | " + backends.map { "\($0.rawValue) s | ratio" }.joined(separator: " | ") + " |")
        Swift.print("| --- | ---: | " + backends.map { _ in "---: | ---:" }.joined(separator: " | ") + " |")
        let peerKMeans = layers.reduce(0.0) { $0 + (peerFits[$1] ?? [:]).values.reduce(0) { $0 + $1.seconds } }
        var row = "| K-means, \(ks.count) k x \(layers.count) layers | \(f(peerKMeans, 1)) |"
        for kind in backends {
            let ours = layers.reduce(0.0) { $0 + (signet[Key(layer: $1, backend: kind)]?.totalKMeansSeconds ?? 0) }
            row += " \(f(ours, 2)) | \(f(peerKMeans / ours, 1))x |"
        }
        Swift.print(row)
        let scored = peerSilhouettes.values.flatMap(\.values)
        if !scored.isEmpty {
            let perScore = scored.map(\.silhouette_seconds).reduce(0, +) / Double(scored.count)
            let peerAll = perScore * Double(labelings)
            row = "| exact silhouette, \(labelings) labelings | \(f(peerAll, 0))" + (scored.count < labelings ? " (\(f(perScore, 1)) x \(labelings))" : "") + " |"
            for kind in backends {
                let ours = layers.reduce(0.0) { $0 + (signet[Key(layer: $1, backend: kind)]?.silhouetteSeconds ?? 0) }
                row += " \(f(ours, 2)) | \(f(peerAll / ours, 1))x |"
            }
            Swift.print(row)
        }

        // scikit-learn scored the first backend's labelings; another backend's own labelings
        // can differ (restarts that tie to rounding), so only the first is compared.
        if let scoredBackend = backends.first {
            Swift.print("\nsilhouette of \(scoredBackend.rawValue)'s labelings, by both (|difference|):")
            for layer in peerSilhouettes.keys.sorted() {
                for (k, score) in peerSilhouettes[layer]!.sorted(by: { $0.key < $1.key }) {
                    let ours = signet[Key(layer: layer, backend: scoredBackend)]?.silhouettes[k]
                    Swift.print("  \(layer) k=\(k): scikit-learn \(f(score.silhouette, 6)), Signet "
                        + (ours.map { "\(f($0, 6)) (\(String(format: "%.1e", abs($0 - score.silhouette))))" } ?? "-"))
                }
            }
        }
        for layer in layers {
            let line = backends.compactMap { kind -> String? in
                guard let ours = signet[Key(layer: layer, backend: kind)] else { return nil }
                let best = ours.silhouettes.max { $0.value < $1.value }
                return "\(kind.rawValue): best k \(best.map { "\($0.key) (\(f($0.value, 4)))" } ?? "-"), upload \(f(ours.uploadSeconds, 3)) s, iterations "
                    + ks.map { "\(ours.results[$0]!.iterations)" }.joined(separator: ",")
            }
            Swift.print("  \(layer): " + line.joined(separator: "; ") + "; scikit-learn iterations "
                + ks.map { "\(peerFits[layer]?[$0]?.n_iter ?? 0)" }.joined(separator: ","))
        }
        Swift.print("\nother processes' CPU share per phase (the peer is a child: its phases show its own use):")
        for (phase, share) in load { Swift.print("  \(phase): " + (share.map { f($0, 2) } ?? "?")) }
    }

    private func f(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
}
