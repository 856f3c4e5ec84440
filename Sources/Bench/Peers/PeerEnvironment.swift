import Foundation

/// Where the peer libraries are: the virtual environments `Benchmarks/peers/setup-venv.sh`
/// makes outside the repository (scikit-learn and umap-learn in one; PyTorch and Keras, with
/// `--training`, in another) and the folder of the scripts that drive them.
public struct PeerEnvironment: Sendable {
    /// `Benchmarks/peers`: `sklearn_clustering.py`, `umap_peer.py`, `training_peer.py`.
    public var scripts: URL
    /// The analysis venv's python (scikit-learn, umap-learn), when it exists.
    public var analysisPython: String?
    /// The training venv's python (PyTorch, Keras), when it exists.
    public var trainingPython: String?
    /// The folder holding `mnist/`, for the training peers.
    public var data: String?
    /// Where the analysis peers' inputs are written (the signatures and a labeling).
    public var work: URL

    public init(scripts: URL, analysisPython: String?, trainingPython: String?, data: String?, work: URL) {
        self.scripts = scripts
        self.analysisPython = analysisPython
        self.trainingPython = trainingPython
        self.data = data
        self.work = work
    }

    /// The environments `setup-venv.sh` makes (`$SIGNET_PEERS_VENV`, else
    /// `~/.cache/signet/peers-venv`, and `$SIGNET_TRAINING_PEERS_VENV`, else
    /// `~/.cache/signet/training-peers-venv`), whichever exist.
    /// - Throws: `BenchError` when the scripts folder lacks the scripts or neither venv exists,
    ///   saying how to make them.
    public static func find(scripts: URL, data: String?, work: URL,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PeerEnvironment {
        let files = FileManager.default
        for script in ["sklearn_clustering.py", "umap_peer.py", "training_peer.py"]
        where !files.fileExists(atPath: scripts.appendingPathComponent(script).path) {
            throw BenchError("--peers: \(scripts.path) has no \(script) (run from the repository's root, or give --peer-scripts)")
        }
        // Where setup-venv.sh puts them: $SIGNET_PEERS_VENV and $SIGNET_TRAINING_PEERS_VENV, else
        // under ~/.cache/signet.
        let home = URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory())
        func python(_ variable: String, _ venv: String) -> (folder: String, python: String?) {
            let folder = environment[variable].flatMap { $0.isEmpty ? nil : $0 }
                ?? home.appendingPathComponent(".cache/signet/\(venv)").path
            let path = URL(fileURLWithPath: folder).appendingPathComponent("bin/python").path
            return (folder, files.isExecutableFile(atPath: path) ? path : nil)
        }
        let analysis = python("SIGNET_PEERS_VENV", "peers-venv"), training = python("SIGNET_TRAINING_PEERS_VENV", "training-peers-venv")
        let found = PeerEnvironment(scripts: scripts, analysisPython: analysis.python, trainingPython: training.python, data: data, work: work)
        guard found.analysisPython != nil || found.trainingPython != nil else {
            throw BenchError("--peers: no peer venv at \(analysis.folder) or \(training.folder); make them with "
                + "Benchmarks/peers/setup-venv.sh (and setup-venv.sh --training for PyTorch and Keras)")
        }
        return found
    }
}
