import Foundation

/// PyTorch or Keras training the same network on the same data in a process of its own, driven
/// by `Benchmarks/peers/training_peer.py` (a `PeerProcess`): after its warm-up it is
/// ready, then trains one more epoch per `epoch` request and answers with that epoch's seconds.
public final class TrainingPeerProcess {
    /// The peer library.
    public enum Framework: String, CaseIterable, Sendable {
        case torch, keras

        public var displayName: String { self == .torch ? "PyTorch" : "Keras" }
    }

    /// `PyTorch 2.5.1, 2 threads`, from the peer's ready line.
    public let name: String
    private let process: PeerProcess

    /// The peer's process, whose CPU time is the peer's own.
    public var processIdentifier: Int32 { process.processIdentifier }

    /// Starts the script and waits until it is ready (after its warm-up).
    /// - Parameter trainingCase: the script's case: `mlp-32`, `mlp-128` or `cnn-128`.
    public init(_ framework: Framework, case trainingCase: String, python: String, script: URL, data folder: String,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        process = try PeerProcess(python: python, script: script, arguments: [
            "--framework", framework.rawValue, "--case", trainingCase, "--data", folder, "--threads", String(threads),
        ], peer: "\(framework.rawValue) peer")
        name = "\(framework.displayName) \(process.ready["version"] as? String ?? "?"), \(process.ready["threads"] as? Int ?? 0) threads"
    }

    /// Trains one more epoch: its seconds by the peer's clock.
    public func trainEpoch() throws -> Double { try process.seconds(for: "epoch") }

    /// Asks the script to quit (and ends it if it does not).
    public func stop() { process.stop() }
}
