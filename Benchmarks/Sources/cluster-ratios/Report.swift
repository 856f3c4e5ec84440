import Engine
import GEMMContenders
import Foundation

/// The tables `cluster-ratios` prints: per layer and k, then the totals and ratios we quote,
/// from the medians of the interleaved rounds (the inertias and labelings are the same every
/// round: both sides are seeded).
struct Report {
    struct Key: Hashable {
        var layer: String
        var backend: BackendKind
    }

    let ks: ClosedRange<Int>
    let backends: [BackendKind]
    var header: [String] = []
    /// Per layer, scikit-learn's sweep in each round.
    var peerFits: [String: [[Int: ScikitLearnPeer.Fit]]] = [:]
    /// Per layer and backend, Signet's in each round.
    var signet: [Key: [SignetClustering]] = [:]
    var peerSilhouettes: [String: [Int: ScikitLearnPeer.Score]] = [:]
    var labelings = 0
    /// The other processes' share of the CPUs, per phase in the order first seen, every round's.
    private(set) var load: [(phase: String, shares: [Double])] = []

    mutating func addLoad(_ phase: String, _ share: Double?) {
        guard let share else { return }
        if let index = load.firstIndex(where: { $0.phase == phase }) {
            load[index].shares.append(share)
        } else {
            load.append((phase, [share]))
        }
    }

    /// GEMMContenders' median, 0 for none (a side that did not run).
    static func median(_ values: [Double]) -> Double { values.isEmpty ? 0 : GEMMContenders.median(values) }

    /// scikit-learn's median seconds for one k of a layer, and its first round's fit.
    func peer(_ layer: String, _ k: Int) -> (seconds: Double, fit: ScikitLearnPeer.Fit)? {
        let fits = (peerFits[layer] ?? []).compactMap { $0[k] }
        return fits.first.map { (Self.median(fits.map(\.seconds)), $0) }
    }

    /// scikit-learn's median over rounds of a layer's whole sweep.
    func peerSweep(_ layer: String) -> [Double] {
        (peerFits[layer] ?? []).map { $0.values.reduce(0) { $0 + $1.seconds } }
    }

    func print() {
        for line in header { Swift.print(line) }
        let layers = Set(signet.keys.map(\.layer)).sorted()
        Swift.print("\n| layer | k | scikit-learn s | inertia | " + backends.map { "\($0.rawValue) s | \($0.rawValue) inertia / sklearn" }.joined(separator: " | ") + " |")
        Swift.print("| --- | ---: | ---: | ---: | " + backends.map { _ in "---: | ---:" }.joined(separator: " | ") + " |")
        for layer in layers {
            for k in ks {
                let peer = self.peer(layer, k)
                var row = "| \(layer) | \(k) | " + (peer.map { "\(f($0.seconds, 2)) | \(f($0.fit.inertia, 0))" } ?? "- | -") + " |"
                for kind in backends {
                    guard let rounds = signet[Key(layer: layer, backend: kind)], let result = rounds.first?.results[k] else { continue }
                    let seconds = Self.median(rounds.compactMap { $0.kMeansSeconds[k] })
                    row += " \(f(seconds, 3)) (\(result.totalIterations) it) | "
                        + (peer.map { f(result.inertia / $0.fit.inertia, 5) } ?? f(result.inertia, 0)) + " |"
                }
                Swift.print(row)
            }
        }

        let rounds = signet.values.map(\.count).max() ?? 0
        Swift.print("\nmedians of \(rounds) interleaved rounds per layer (fastest - slowest round in parentheses):")
        Swift.print("\n| what | scikit-learn s | " + backends.map { "\($0.rawValue) s | ratio" }.joined(separator: " | ") + " |")
        Swift.print("| --- | ---: | " + backends.map { _ in "---: | ---:" }.joined(separator: " | ") + " |")
        // Per layer the median round's sweep, summed over the layers; the spread likewise.
        func total(_ perLayer: (String) -> [Double]) -> (median: Double, fastest: Double, slowest: Double) {
            layers.reduce((0.0, 0.0, 0.0)) { sum, layer in
                let rounds = perLayer(layer)
                return (sum.0 + Self.median(rounds), sum.1 + (rounds.min() ?? 0), sum.2 + (rounds.max() ?? 0))
            }
        }
        func spread(_ t: (median: Double, fastest: Double, slowest: Double), _ digits: Int) -> String {
            "\(f(t.median, digits)) (\(f(t.fastest, digits)) - \(f(t.slowest, digits)))"
        }
        let peerKMeans = total(peerSweep)
        var row = "| K-means, \(ks.count) k x \(layers.count) layers | \(spread(peerKMeans, 1)) |"
        for kind in backends {
            let ours = total { layer in (signet[Key(layer: layer, backend: kind)] ?? []).map(\.totalKMeansSeconds) }
            row += " \(spread(ours, 2)) | \(f(peerKMeans.median / ours.median, 1))x |"
        }
        Swift.print(row)
        let scored = peerSilhouettes.values.flatMap(\.values)
        if !scored.isEmpty {
            let perScore = scored.map(\.silhouette_seconds).reduce(0, +) / Double(scored.count)
            let peerAll = perScore * Double(labelings)
            row = "| exact silhouette, \(labelings) labelings | \(f(peerAll, 0))" + (scored.count < labelings ? " (\(f(perScore, 1)) x \(labelings))" : "") + " |"
            for kind in backends {
                let ours = total { layer in (signet[Key(layer: layer, backend: kind)] ?? []).map(\.silhouetteSeconds) }
                row += " \(spread(ours, 2)) | \(f(peerAll / ours.median, 1))x |"
            }
            Swift.print(row)
        }

        // scikit-learn scored the first backend's labelings; another backend's own labelings
        // can differ (restarts that tie to rounding), so only the first is compared.
        if let scoredBackend = backends.first {
            Swift.print("\nsilhouette of \(scoredBackend.rawValue)'s labelings, by both (|difference|):")
            for layer in peerSilhouettes.keys.sorted() {
                for (k, score) in peerSilhouettes[layer]!.sorted(by: { $0.key < $1.key }) {
                    let ours = signet[Key(layer: layer, backend: scoredBackend)]?.first?.silhouettes[k]
                    Swift.print("  \(layer) k=\(k): scikit-learn \(f(score.silhouette, 6)), Signet "
                        + (ours.map { "\(f($0, 6)) (\(String(format: "%.1e", abs($0 - score.silhouette))))" } ?? "-"))
                }
            }
        }
        for layer in layers {
            let line = backends.compactMap { kind -> String? in
                guard let ours = signet[Key(layer: layer, backend: kind)]?.first else { return nil }
                let best = ours.silhouettes.max { $0.value < $1.value }
                return "\(kind.rawValue): best k \(best.map { "\($0.key) (\(f($0.value, 4)))" } ?? "-"), upload \(f(ours.uploadSeconds, 3)) s, iterations "
                    + ks.map { "\(ours.results[$0]!.iterations)" }.joined(separator: ",")
            }
            Swift.print("  \(layer): " + line.joined(separator: "; ") + "; scikit-learn iterations "
                + ks.map { "\(peer(layer, $0)?.fit.n_iter ?? 0)" }.joined(separator: ","))
        }
        Swift.print("\nother processes' CPU share per phase, median and highest of its rounds (the peer is a child: its phases show its own use):")
        for (phase, shares) in load { Swift.print("  \(phase): \(f(Self.median(shares), 2)) (\(f(shares.max() ?? 0, 2)))") }
    }

    private func f(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
}
