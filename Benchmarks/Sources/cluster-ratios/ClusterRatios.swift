import ArgumentParser
import Bench
import Engine
import Foundation
import GEMMContenders
import Learning
import OpenCL
import Signatures

/// K-means and the exact silhouette on the study's 70,000-image signature matrices, Signet on
/// each backend against scikit-learn, interleaved in one run on one machine.
@main
struct ClusterRatios: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster-ratios",
        abstract: "K-means (k = 2 ... 10, n_init 10) and exact silhouettes: Signet per backend against scikit-learn.",
        discussion: """
            Trains 784-32-64-10 on MNIST's 60,000 training images (CPU backend, seeded), takes both \
            hidden layers' standardized signatures of all 70,000 images, and writes them to \
            --work/signatures.safetensors. Then per layer, --rounds times: scikit-learn's KMeans \
            sweep and Signet's on each backend (all nine k, then one silhouette pass for all nine \
            labelings), a different one first each round; the tables give medians. scikit-learn \
            scores Signet's labelings with silhouette_score, once: one (layer \
            hidden_2, the first k) by default, whose time is multiplied by the number of labelings, \
            or all of them with --peer-silhouettes all (about 35 s each here) to check every score. \
            Needs SIGNET_DATA and the peer venv (Benchmarks/peers/setup-venv.sh).
            """)

    @Option(help: "The peer venv's python (default: the last line of Benchmarks/peers/setup-venv.sh).")
    var python: String?

    @Option(name: .long, parsing: .upToNextOption, help: "Signet backends: cpu, opencl.")
    var backends: [BackendKind] = [.cpu, .opencl]

    @Option(help: "Smallest k.") var kmin = 2
    @Option(help: "Largest k.") var kmax = 10
    @Option(help: "K-means restarts (n_init).") var nInit = 10
    @Option(help: "Seed of training and clustering.") var seed: UInt64 = 0
    @Option(help: "Training epochs of the network whose signatures are clustered.") var epochs = 3
    @Option(help: "Interleaved rounds per layer (medians of them).") var rounds = 5
    @Option(help: "Silhouettes scikit-learn computes: one or all.") var peerSilhouettes: PeerSilhouettes = .one
    @Option(help: "Threads for scikit-learn (default: its own choice, one per CPU).") var peerThreads: Int?
    @Flag(help: "Run the peer without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE.") var unsetOpenBLASCoreType = false
    @Option(help: "Folder for the signatures and label files.") var work = "/tmp/signet-cluster-ratios"
    @Flag(help: "Signet only: no scikit-learn runs (for profiling).") var skipPeer = false
    @Flag(help: "K-means only: no silhouettes (for profiling).") var skipSilhouette = false
    @Flag(help: "Reuse --work/signatures.safetensors from an earlier run instead of training.") var reuseSignatures = false
    @Option(name: .long, parsing: .upToNextOption, help: "Layers to cluster (default: both).") var layers: [String] = []

    enum PeerSilhouettes: String, ExpressibleByArgument { case one, all }

    func validate() throws {
        guard kmin >= 2, kmax >= kmin else { throw ValidationError("need 2 <= --kmin <= --kmax") }
        guard nInit >= 1 else { throw ValidationError("--n-init must be at least 1") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
    }

    func run() throws {
        let folder = URL(fileURLWithPath: work, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let benchmarks = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let peer = ScikitLearnPeer(python: skipPeer ? "" : try python ?? Self.setUpVenv(benchmarks),
                                   script: benchmarks.appendingPathComponent("peers/sklearn_clustering.py").path,
                                   threads: peerThreads, unsetCoreType: unsetOpenBLASCoreType)
        let ks = kmin...kmax

        let signatureFile = folder.appendingPathComponent("signatures.safetensors")
        let signatures: SignatureMatrices
        if reuseSignatures, let saved = try? SignatureMatrices(contentsOf: signatureFile) {
            signatures = saved
        } else {
            signatures = try SignatureMatrices.make(epochs: epochs, seed: seed)
            try signatures.write(to: signatureFile)
        }
        var report = Report(ks: ks, backends: backends)
        report.header = [
            "signatures: \(signatures.rows) images, layers " + signatures.layers.map { "\($0.name) (\($0.columns))" }.joined(separator: ", ")
                + String(format: "; network trained %d epochs in %.1f s, test accuracy %.2f%%", epochs, signatures.trainingSeconds,
                         100 * signatures.testAccuracy),
            "peer: " + (skipPeer ? "skipped" : try peer.environment(signatureFile)),
            "OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "(unset)")"
                + (unsetOpenBLASCoreType ? " (unset for the peer)" : ""),
            "K-means: k = \(kmin) ... \(kmax), n_init \(nInit), seed \(seed), lloyd, tol 1e-4",
        ]

        var labels = SafeTensors()
        // Made once: an OpenCL backend compiles (or loads) its programs when it starts.
        let made = try backends.map { ($0, try Self.backend($0)) }
        for layer in signatures.layers where layers.isEmpty || layers.contains(layer.name) {
            // Interleaved rounds, each starting with another contender (nil: scikit-learn), so
            // that drift in the machine's load falls on every side.
            let contenders: [(BackendKind, any Backend)?] = (skipPeer ? [] : [nil]) + made.map { Optional($0) }
            for round in 0..<rounds {
                for offset in contenders.indices {
                    let load = LoadMeter()
                    guard let (kind, backend) = contenders[(round + offset) % contenders.count] else {
                        let fits = try peer.fitKMeans(signatureFile, layer: layer.name, ks: ks, restarts: nInit, seed: seed)
                        report.peerFits[layer.name, default: []].append(fits)
                        report.addLoad("scikit-learn K-means \(layer.name)", load.share())
                        continue
                    }
                    let outcome = try SignetClustering.run(layer.values, rows: signatures.rows, columns: layer.columns,
                                                           backend: backend, ks: ks, restarts: nInit, seed: seed,
                                                           silhouette: !skipSilhouette)
                    report.signet[Report.Key(layer: layer.name, backend: kind), default: []].append(outcome)
                    report.addLoad("Signet \(kind.rawValue) \(layer.name)", load.share())
                    if kind == backends.first && labels.tensors["\(layer.name)/\(kmin)"] == nil {
                        for (k, result) in outcome.results {
                            labels.tensors["\(layer.name)/\(k)"] = .init(shape: [signatures.rows], integers: result.assignments)
                        }
                    }
                }
            }
        }

        guard !skipPeer else {
            report.print()
            return
        }
        // scikit-learn scores our labelings, so the two silhouettes are of the same clusters.
        var scored = labels
        if peerSilhouettes == .one, let last = signatures.layers.last(where: { layers.isEmpty || layers.contains($0.name) })?.name {
            scored.tensors = scored.tensors.filter { $0.key == "\(last)/\(kmin)" }
        }
        let labelFile = folder.appendingPathComponent("signet-labels.safetensors")
        try scored.encoded().write(to: labelFile, options: .atomic)
        let load = LoadMeter()
        report.peerSilhouettes = try peer.silhouettes(signatureFile, labels: labelFile)
        report.addLoad("scikit-learn silhouette", load.share())
        report.labelings = labels.tensors.count
        report.print()
    }

    static func backend(_ kind: BackendKind) throws -> any Backend {
        switch kind {
        case .cpu: return CPUBackend()
        case .opencl:
            let backend = try OpenCLBackend(device: BenchmarkDevice.pick().device)
            try backend.warmUp()
            return backend
        }
    }

    /// Runs the venv setup script (idempotent) and returns the python it prints last.
    static func setUpVenv(_ benchmarks: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [benchmarks.appendingPathComponent("peers/setup-venv.sh").path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let python = text.split(separator: "\n").last else {
            throw PeerFailure("Benchmarks/peers/setup-venv.sh failed")
        }
        return String(python)
    }
}

/// The other processes' share of the CPUs over a phase.
struct LoadMeter {
    let start = Date()
    let snapshot = CPUSnapshot.now()

    /// Measured by /proc on Linux; the peer is a child process, so its time counts as "other"
    /// for our snapshot: the peer's phases report the machine's load less our own (idle) share.
    func share() -> Double? {
        guard let snapshot, let now = CPUSnapshot.now() else { return nil }
        return snapshot.otherProcessesLoad(until: now, wallSeconds: Date().timeIntervalSince(start))
    }
}

extension BackendKind: @retroactive ExpressibleByArgument {}
