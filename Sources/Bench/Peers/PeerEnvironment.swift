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

    /// The environments `setup-venv.sh` makes (`~/.cache/signet/peers-venv` and
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
        let cache = environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".cache")
        func python(_ venv: String) -> String? {
            let path = cache.appendingPathComponent("signet/\(venv)/bin/python").path
            return files.isExecutableFile(atPath: path) ? path : nil
        }
        let found = PeerEnvironment(scripts: scripts, analysisPython: python("peers-venv"), trainingPython: python("training-peers-venv"),
                                    data: data, work: work)
        guard found.analysisPython != nil || found.trainingPython != nil else {
            throw BenchError("--peers: no peer environment in \(cache.path)/signet; make it with Benchmarks/peers/setup-venv.sh "
                + "(and --training for PyTorch and Keras)")
        }
        return found
    }
}
