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
/// images. umap-learn runs first (warm), then Signet on each backend; both maps are scored by
/// the same trustworthiness code (exact up to 10,000 points, else a seeded 10,000-point sample
/// with ranks among all points).
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
        print("| rows | who | seconds | phases | trustworthiness(15) |")
        print("| --- | --- | ---: | --- | ---: |")
        for (name, range) in ranges {
            let slice = Array(values[range.lowerBound * 64..<range.upperBound * 64])
            let n = range.count, sample = n > 10_000 ? 10_000 : nil
            var peerSeconds: Double?
            if !skipPeer {
                let out = directory.appendingPathComponent("umap-learn-\(name).safetensors")
                let report = try Self.peer(signaturesURL, rows: range, out: out)
                peerSeconds = report.seconds
                let embedding = try SafeTensors(decoding: Data(contentsOf: out)).tensors["embedding"]!.values
                let trust = try Trustworthiness.score(original: slice, dimensions: 64, embedding: embedding, embeddingDimensions: 2,
                                                      neighbors: 15, sampleSize: sample, seed: 0)
                print("| \(name) (\(n)) | umap-learn \(report.version) | \(String(format: "%.2f", report.seconds)) | warm, n_jobs 2 | \(String(format: "%.4f", trust)) |")
            }
            for kind in backends.split(separator: ",") {
                let backend: any Backend = kind == "opencl" ? try OpenCLBackend(device: BenchmarkDevice.pick().device) : CPUBackend()
                let matrix = try PointMatrix(slice, rows: n, columns: 64, backend: backend)
                let start = Date()
                let map = try UMAP(UMAPConfiguration(seed: 0)).embed(matrix)
                let seconds = Date().timeIntervalSince(start)
                let trust = try Trustworthiness.score(original: slice, dimensions: 64, embedding: map.coordinates, embeddingDimensions: 2,
                                                      neighbors: 15, sampleSize: sample, seed: 0)
                let phases = map.phases.map { "\($0.phase) \(String(format: "%.2f", $0.seconds))" }.joined(separator: ", ")
                let ratio = peerSeconds.map { String(format: " (%.1fx)", $0 / seconds) } ?? ""
                print("| \(name) (\(n)) | Signet \(kind) | \(String(format: "%.2f", seconds))\(ratio) | \(phases), \(map.initialization) init | \(String(format: "%.4f", trust)) |")
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

    struct PeerReport: Decodable {
        var seconds: Double
        var version: String
    }

    /// Runs `peers/umap_peer.py` with the peers venv's python.
    static func peer(_ input: URL, rows: Range<Int>, out: URL) throws -> PeerReport {
        let python = ProcessInfo.processInfo.environment["SIGNET_PEERS_PYTHON_BIN"]
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/signet/peers-venv/bin/python").path
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("peers/umap_peer.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, input.path, "--tensor", "hidden_2", "--rows", "\(rows.lowerBound):\(rows.upperBound)", "--out", out.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("umap_peer.py failed (status \(process.terminationStatus))") }
        return try JSONDecoder().decode(PeerReport.self, from: data)
    }
}
