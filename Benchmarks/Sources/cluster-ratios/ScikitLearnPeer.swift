import Foundation

/// scikit-learn, run by `Benchmarks/peers/sklearn_clustering.py` in its virtual environment.
struct ScikitLearnPeer {
    /// The venv's python.
    let python: String
    let script: String
    /// Passed as `--threads` when set.
    let threads: Int?
    /// Remove OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE from the peer's environment (they pin
    /// numpy's OpenBLAS to older kernels on some machines here).
    let unsetCoreType: Bool

    /// What one K-means fit took and found.
    struct Fit: Decodable {
        var seconds: Double
        var inertia: Double
        var n_iter: Int
    }

    struct Score: Decodable {
        var silhouette: Double
        var silhouette_seconds: Double
    }

    /// Fits KMeans(n_init) for every k of `ks` on one layer of `signatures`.
    func fitKMeans(_ signatures: URL, layer: String, ks: ClosedRange<Int>, restarts: Int, seed: UInt64) throws -> [Int: Fit] {
        let json = try run([signatures.path, "--layers", layer, "--kmin", "\(ks.lowerBound)", "--kmax", "\(ks.upperBound)",
                            "--n-init", "\(restarts)", "--seed", "\(seed)", "--silhouette-k", "none"])
        struct Output: Decodable { var layers: [String: [String: Fit]] }
        let output = try JSONDecoder().decode(Output.self, from: json)
        return Dictionary(uniqueKeysWithValues: (output.layers[layer] ?? [:]).compactMap { key, fit in Int(key).map { ($0, fit) } })
    }

    /// scikit-learn's exact `silhouette_score` of the int32 labelings in `labels` (named
    /// `LAYER/k`), on the matrices of `signatures`: layer -> k -> score.
    func silhouettes(_ signatures: URL, labels: URL) throws -> [String: [Int: Score]] {
        let json = try run([signatures.path, "--no-fit", "--silhouette-of", labels.path])
        struct Output: Decodable {
            struct Scored: Decodable { var layers: [String: [String: Score]] }
            var silhouette_of: Scored
        }
        let output = try JSONDecoder().decode(Output.self, from: json)
        return output.silhouette_of.layers.mapValues { scores in
            Dictionary(uniqueKeysWithValues: scores.compactMap { key, score in Int(key).map { ($0, score) } })
        }
    }

    /// The peer's library versions and BLAS, as it reports them.
    func environment(_ signatures: URL) throws -> String {
        let json = try run([signatures.path, "--no-fit"])
        guard let object = try JSONSerialization.jsonObject(with: json) as? [String: Any],
              let environment = object["environment"] as? [String: Any] else { return "?" }
        let versions = environment["versions"] as? [String: String] ?? [:]
        let blas = (environment["threadpool_info"] as? [[String: Any]] ?? []).map {
            "\($0["internal_api"] ?? "?") \($0["version"] ?? "") \($0["architecture"] ?? "") x\($0["num_threads"] ?? "?")"
        }
        return "scikit-learn \(versions["scikit-learn"] ?? "?"), numpy \(versions["numpy"] ?? "?"); " + blas.joined(separator: ", ")
    }

    private func run(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments + (threads.map { ["--threads", "\($0)"] } ?? [])
        var environment = ProcessInfo.processInfo.environment
        if unsetCoreType {
            environment["OPENBLAS_CORETYPE"] = nil
            environment["OPENBLAS_L2_SIZE"] = nil
        }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PeerFailure("\(script) \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus)")
        }
        return data
    }
}

struct PeerFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
