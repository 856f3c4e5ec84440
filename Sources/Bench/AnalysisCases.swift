import Datasets
import Engine
import Foundation
import Learning
import Signatures

/// The study's analysis at full scale: K-means, silhouettes and UMAP on the signatures of all
/// 70,000 MNIST images (the 64-unit second hidden layer of 784-32-64-10, trained one epoch on
/// the 60,000 training images with seed 0 on the CPU backend, standardized per unit, as the
/// study standardizes them).
enum AnalysisCases {
    /// The cases of `workload` (`.kmeans`, `.silhouette` or `.umap`) on `signatures`, with
    /// scikit-learn and umap-learn as peers when asked (on the same signatures, written to a
    /// safetensors file); umap-learn's served process is kept in `pool` for both UMAP cases.
    static func cases(_ workload: BenchWorkload, signatures: LazyInput<BenchSignatures>, withPeers: Bool, pool: PeerProcessPool)
        -> [BenchCase] {
        let ks = Array(2...10)
        switch workload {
        case .kmeans:
            return [BenchCase(workload: .kmeans, name: "K-means k = 2 ... 10, n_init 10, 70,000 x 64", warmUp: false,
                              peers: withPeers ? [scikitLearnKMeans(signatures, ks: ks)] : []) { backend in
                let matrix = try signatures.value().matrix(on: backend)
                return {
                    for k in ks { _ = try KMeans(KMeansConfiguration(clusters: k, restarts: 10, seed: 0)).fit(matrix) }
                    try backend.synchronize()
                }
            }]
        case .silhouette:
            return [BenchCase(workload: .silhouette, name: "exact silhouette of 9 labelings, 70,000 x 64", warmUp: false,
                              peers: withPeers ? [scikitLearnSilhouette(signatures, labelings: ks.count)] : []) { backend in
                let signatures = try signatures.value()
                let matrix = try signatures.matrix(on: backend), labelings = try signatures.labelings(ks)
                return {
                    _ = try Silhouette().scores(of: labelings, on: matrix)
                    try backend.synchronize()
                }
            }]
        case .umap:
            // MNIST's 70,000 images: the first 10,000, and all.
            return [10_000, 70_000].map { rows in
                BenchCase(workload: .umap, name: "UMAP \(rows) x 64", warmUp: false,
                          peers: withPeers ? [umapLearn(signatures, rows: rows, pool: pool)] : []) { backend in
                    let matrix = try signatures.value().matrix(on: backend, rows: rows)
                    return {
                        _ = try UMAP(UMAPConfiguration(seed: 0)).embed(matrix)
                        try backend.synchronize()
                    }
                }
            }
        default:
            return []
        }
    }

    /// scikit-learn's `KMeans(n_clusters=k, n_init=10, random_state=0, algorithm="lloyd")` for
    /// every k: a run is the sum of its fits' seconds.
    static func scikitLearnKMeans(_ signatures: LazyInput<BenchSignatures>, ks: [Int]) -> (PeerEnvironment) throws -> PeerRun? {
        { environment in
            guard let python = environment.analysisPython else { return nil }
            let files = try signatures.value().peerFiles(in: environment.work)
            let script = environment.scripts.appendingPathComponent("sklearn_clustering.py")
            let version = try PeerScript.version(python: python, module: "sklearn")
            return PeerRun(name: "scikit-learn \(version)") {
                let output = try PeerScript.run(python: python, script: script, [
                    files.signatures.path, "--layers", BenchSignatures.layer, "--kmin", "\(ks.first!)", "--kmax", "\(ks.last!)",
                    "--n-init", "10", "--seed", "0", "--silhouette-k", "none",
                ])
                let fits = (output["layers"] as? [String: Any])?[BenchSignatures.layer] as? [String: [String: Any]] ?? [:]
                let seconds = fits.values.compactMap { $0["seconds"] as? Double }
                guard seconds.count == ks.count else { throw BenchError("sklearn_clustering.py reported \(seconds.count) of \(ks.count) fits") }
                return seconds.reduce(0, +)
            }
        }
    }

    /// scikit-learn's exact `silhouette_score` of one labeling (k = 2), its seconds times
    /// `labelings` (each labeling costs the same pairwise distances): one sample, the run
    /// taking about a minute here.
    static func scikitLearnSilhouette(_ signatures: LazyInput<BenchSignatures>, labelings: Int) -> (PeerEnvironment) throws -> PeerRun? {
        { environment in
            guard let python = environment.analysisPython else { return nil }
            let files = try signatures.value().peerFiles(in: environment.work)
            let script = environment.scripts.appendingPathComponent("sklearn_clustering.py")
            let version = try PeerScript.version(python: python, module: "sklearn")
            return PeerRun(name: "scikit-learn \(version) (1 labeling, x\(labelings))", samples: 1) {
                let output = try PeerScript.run(python: python, script: script, [files.signatures.path, "--no-fit", "--silhouette-of",
                                                                                 files.labels.path])
                let scored = ((output["silhouette_of"] as? [String: Any])?["layers"] as? [String: Any])?[BenchSignatures.layer]
                    as? [String: [String: Any]]
                guard let seconds = scored?.values.first?["silhouette_seconds"] as? Double else {
                    throw BenchError("sklearn_clustering.py reported no silhouette time")
                }
                return seconds * Double(labelings)
            }
        }
    }

    /// umap-learn 0.5 (n_neighbors 15, min_dist 0.1, one job per CPU) on the first `rows`
    /// signatures: its `fit_transform` seconds, from one `umap_peer.py --serve` process that
    /// both UMAP cases share (numba compiles once, untimed). At 70,000 points one sample (half
    /// a minute here).
    static func umapLearn(_ signatures: LazyInput<BenchSignatures>, rows: Int, pool: PeerProcessPool) -> (PeerEnvironment) throws -> PeerRun? {
        { environment in
            guard let python = environment.analysisPython else { return nil }
            let files = try signatures.value().peerFiles(in: environment.work)
            let process = try pool.process("umap-learn") {
                try PeerProcess(python: python, script: environment.scripts.appendingPathComponent("umap_peer.py"), arguments: [
                    files.signatures.path, "--tensor", BenchSignatures.layer, "--serve", "--jobs", "\(MachineDescription.cores)",
                ], peer: "umap-learn peer")
            }
            // No stop: the pool ends the process after the workload.
            return PeerRun(name: "umap-learn \(process.ready["version"] as? String ?? "?")", samples: rows > 10_000 ? 1 : nil,
                           process: process.processIdentifier, run: { try process.seconds(for: "run 0:\(rows)") })
        }
    }
}

/// The analysis cases' input, made once per bench run (untimed): the signatures, and for the
/// silhouette the labelings of one K-means run per k on the CPU backend.
public final class BenchSignatures {
    public let values: [Float]
    public let rows: Int
    public let columns: Int
    private var labelingsByK: [Int: [Int32]] = [:]

    public init(values: [Float], rows: Int, columns: Int) {
        self.values = values
        self.rows = rows
        self.columns = columns
    }

    /// Trains the network one epoch and takes its second hidden layer's standardized signatures.
    public static func make(train: LabeledImages, test: LabeledImages) throws -> BenchSignatures {
        let network = try SignatureNetwork.train(train: train, test: test, epochs: 1, seed: 0)
        let values = try network.signatures(of: [layer])[layer]!, rows = network.rows, columns = values.count / rows
        let standardized = try Standardization(fitting: values, rows: rows, columns: columns).transform(values, rows: rows)
        return BenchSignatures(values: standardized, rows: rows, columns: columns)
    }

    /// The layer's name in the peers' files.
    static let layer = "hidden_2"

    private var files: (signatures: URL, labels: URL)?

    /// The signatures (`hidden_2`, `[rows, columns]`) and the k = 2 labeling (`hidden_2/2`) as
    /// safetensors files in `folder`, for the peers: written once, atomically.
    func peerFiles(in folder: URL) throws -> (signatures: URL, labels: URL) {
        if let files { return files }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let signaturesFile = folder.appendingPathComponent("signatures.safetensors")
        let labelsFile = folder.appendingPathComponent("labels.safetensors")
        var signatures = SafeTensors()
        signatures.tensors[Self.layer] = .init(shape: [rows, columns], values: values)
        try signatures.encoded().write(to: signaturesFile, options: .atomic)
        var labels = SafeTensors()
        labels.tensors["\(Self.layer)/2"] = .init(shape: [rows], integers: try labelings([2])[0])
        try labels.encoded().write(to: labelsFile, options: .atomic)
        files = (signaturesFile, labelsFile)
        return files!
    }

    /// The first `rows` signatures (all by default) on `backend`.
    func matrix(on backend: any Backend, rows: Int? = nil) throws -> PointMatrix {
        let count = min(rows ?? self.rows, self.rows)
        return try PointMatrix(Array(values[0..<count * columns]), rows: count, columns: columns, backend: backend)
    }

    /// One K-means labeling per k (one restart each, seed 0, CPU backend), made on first use.
    func labelings(_ ks: [Int]) throws -> [[Int32]] {
        let missing = ks.filter { labelingsByK[$0] == nil }
        if !missing.isEmpty {
            let matrix = try self.matrix(on: CPUBackend())
            for k in missing {
                labelingsByK[k] = try KMeans(KMeansConfiguration(clusters: k, restarts: 1, seed: 0)).fit(matrix).assignments
            }
        }
        return ks.map { labelingsByK[$0]! }
    }
}
