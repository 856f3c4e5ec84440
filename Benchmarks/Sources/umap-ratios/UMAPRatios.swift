import ArgumentParser
import Bench
import Datasets
import Engine
import Foundation
import GEMMContenders
import Learning
import Signatures

/// `umap-ratios`: Signet's UMAP against umap-learn on the same signatures, in one run.
///
/// The input is issue 10's: the raw (unstandardized) 64-d second-hidden-layer signatures of a dense
/// network 784-32-64-10 trained 3 epochs with seed 0 (Adam 1e-3, batch 32, cross-entropy: the
/// modern preset) on MNIST's 60,000 training images; all 70,000 images, or the 10,000 test
/// images. Per size, `--rounds` rounds: umap-learn (warm, in one served process for the whole
/// run) and Signet on each backend, a different one first each round; the table gives each
/// one's median, fastest and slowest. Both sides' first maps are scored by the same
/// trustworthiness code (exact up to 10,000 points, else a seeded 10,000-point sample with ranks
/// among all points); Signet's maps are the same every round (seeded).
@main
struct UMAPRatios: ParsableCommand {
    @Option(help: "Rows: test (the 10,000 test images), all (70,000), or both.")
    var rows: String = "both"

    @Option(help: "Backends to time: cpu, opencl, or cpu,opencl.")
    var backends: String = "cpu"

    @Flag(help: "Reuse the signatures written by an earlier run instead of training.")
    var reuseSignatures = false

    @Flag(help: "Skip umap-learn.")
    var skipPeer = false

    @Option(help: "Folder for the signatures and the embeddings.")
    var folder: String = "/tmp/signet-umap-ratios"

    @Option(help: "Interleaved rounds per size (medians of them).")
    var rounds = 5

    func validate() throws {
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
    }

    func run() throws {
        let directory = URL(fileURLWithPath: folder, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let signaturesURL = directory.appendingPathComponent("signatures.safetensors")
        let values: [Float]
        if reuseSignatures {
            values = try SafeTensors(decoding: Data(contentsOf: signaturesURL)).tensors["hidden_2"]!.values
        } else {
            values = try Self.signatures()
            var file = SafeTensors()
            file.tensors["hidden_2"] = .init(shape: [values.count / 64, 64], values: values)
            try file.encoded().write(to: signaturesURL, options: .atomic)
        }
        let total = values.count / 64
        let ranges: [(String, Range<Int>)] = rows == "test" ? [("test", 60_000..<total)] : rows == "all" ? [("all", 0..<total)]
            : [("test", 60_000..<total), ("all", 0..<total)]
        let peer = skipPeer ? nil : try Self.peer(signaturesURL)
        defer { peer?.stop() }
        let made: [(String, any Backend)] = try backends.split(separator: ",").map { kind in
            (String(kind), kind == "opencl" ? try OpenCLBackend(device: BenchmarkDevice.pick().device) : CPUBackend())
        }
        print("OPENBLAS_CORETYPE=\(MachineDescription.openBLASCoreType ?? "(unset)"); medians of \(rounds) interleaved rounds, "
            + "fastest - slowest in parentheses; other load: the other processes' median share of the CPUs during the runs")
        print("")
        print("| rows | who | seconds | phases | trustworthiness(15) | other load |")
        print("| --- | --- | ---: | --- | ---: | ---: |")
        for (name, range) in ranges {
            let slice = Array(values[range.lowerBound * 64..<range.upperBound * 64])
            let n = range.count, sample = n > 10_000 ? 10_000 : nil
            func trustworthiness(_ embedding: [Float]) throws -> Double {
                try Trustworthiness.score(original: slice, dimensions: 64, embedding: embedding, embeddingDimensions: 2,
                                          neighbors: 15, sampleSize: sample, seed: 0)
            }
            // Contender nil is umap-learn; the others, the backends in `made`.
            let contenders: [Int?] = (peer == nil ? [] : [nil]) + made.indices.map { Optional($0) }
            var seconds = [[Double]](repeating: [], count: contenders.count), loads = seconds
            var maps = [UMAPEmbedding?](repeating: nil, count: made.count), peerTrust: Double?
            for round in 0..<rounds {
                for offset in contenders.indices {
                    let slot = (round + offset) % contenders.count
                    let before = CPUSnapshot.now(countingAlso: peer?.processIdentifier), start = Date()
                    if let index = contenders[slot] {
                        let matrix = try PointMatrix(slice, rows: n, columns: 64, backend: made[index].1)
                        let began = Date()
                        let map = try UMAP(UMAPConfiguration(seed: 0)).embed(matrix)
                        seconds[slot].append(Date().timeIntervalSince(began))
                        if maps[index] == nil { maps[index] = map }
                    } else {
                        // The first round's map is written, for its trustworthiness.
                        let out = directory.appendingPathComponent("umap-learn-\(name).safetensors")
                        let first = peerTrust == nil
                        seconds[slot].append(try peer!.seconds(for: "run \(range.lowerBound):\(range.upperBound)" + (first ? " \(out.path)" : "")))
                        if first {
                            peerTrust = try trustworthiness(try SafeTensors(decoding: Data(contentsOf: out)).tensors["embedding"]!.values)
                        }
                    }
                    if let before, let after = CPUSnapshot.now(countingAlso: peer?.processIdentifier) {
                        loads[slot].append(before.otherProcessesLoad(until: after, wallSeconds: Date().timeIntervalSince(start)))
                    }
                }
            }
            let peerSlot = contenders.firstIndex { $0 == nil }
            let peerMedian = peerSlot.map { GEMMContenders.median(seconds[$0]) }
            for slot in contenders.indices {
                let median = GEMMContenders.median(seconds[slot])
                let timing = String(format: "%.2f (%.2f - %.2f)", median, seconds[slot].min()!, seconds[slot].max()!)
                let load = loads[slot].isEmpty ? "?" : String(format: "%.0f%%", 100 * GEMMContenders.median(loads[slot]))
                guard let index = contenders[slot] else {
                    print("| \(name) (\(n)) | umap-learn \(peer!.ready["version"] as? String ?? "?") | \(timing) | warm, n_jobs \(MachineDescription.cores) | "
                        + "\(String(format: "%.4f", peerTrust!)) | \(load) |")
                    continue
                }
                let map = maps[index]!
                let phases = map.phases.map { "\($0.phase) \(String(format: "%.2f", $0.seconds))" }.joined(separator: ", ")
                let ratio = peerMedian.map { String(format: " (%.1fx)", $0 / median) } ?? ""
                print("| \(name) (\(n)) | Signet \(made[index].0) | \(timing)\(ratio) | first run: \(phases), \(map.initialization) init | "
                    + "\(String(format: "%.4f", try trustworthiness(map.coordinates))) | \(load) |")
            }
        }
    }

    /// The raw hidden_2 signatures of all 70,000 images, training images first.
    static func signatures() throws -> [Float] {
        let store = DatasetStore()
        let network = try SignatureNetwork.train(train: try store.load(.mnist, split: .train), test: try store.load(.mnist, split: .test),
                                                 epochs: 3, seed: 0)
        return try network.signatures(of: ["hidden_2"])["hidden_2"]!
    }

    /// `peers/umap_peer.py --serve` with the peers venv's python, warmed up and ready.
    static func peer(_ input: URL) throws -> PeerProcess {
        let python = ProcessInfo.processInfo.environment["SIGNET_PEERS_PYTHON_BIN"]
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/signet/peers-venv/bin/python").path
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("peers/umap_peer.py")
        return try PeerProcess(python: python, script: script, arguments: [input.path, "--tensor", "hidden_2", "--serve",
                                                                           "--jobs", "\(MachineDescription.cores)"],
                               peer: "umap-learn peer")
    }
}
