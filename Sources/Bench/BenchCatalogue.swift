import Datasets

/// Every workload's cases, as `signet bench` (`BenchRunner`) and the package-benchmark suite
/// `Benchmarks/Benchmarks/Workloads` run them: one catalogue, so the two time the same work.
///
/// Listing is cheap: what a case reads (MNIST, the signatures, trained once) is made when the
/// first case that needs it is prepared, and kept for the others.
public final class BenchCatalogue {
    /// Where MNIST is read from, for the workloads that need it.
    public let store: DatasetStore?
    /// The peer libraries' environment; nil lists the cases without peers.
    public let peers: PeerEnvironment?
    /// Square GEMM sizes.
    public let gemmSizes: [Int]
    /// The served peers' processes that a workload's cases share; `BenchRunner` ends them after
    /// each workload.
    public let pool = PeerProcessPool()
    private let trainImages: LazyInput<LabeledImages>
    private let signatures: LazyInput<BenchSignatures>

    /// - Parameter log: told when a slow input is made (the signatures' training).
    public init(store: DatasetStore?, peers: PeerEnvironment? = nil, gemmSizes: [Int] = [256, 512, 1024, 2048, 4096],
                log: @escaping (String) -> Void = { _ in }) {
        self.store = store
        self.peers = peers
        self.gemmSizes = gemmSizes
        let train = LazyInput { try Self.require(store).load(.mnist, split: .train) }
        trainImages = train
        signatures = LazyInput {
            log("signatures: training 784-32-64-10 for one epoch (CPU backend) and standardizing its hidden_2")
            return try BenchSignatures.make(train: try train.value(), test: try Self.require(store).load(.mnist, split: .test))
        }
    }

    /// The cases of `workload`.
    /// - Throws: `BenchError` for a workload that reads MNIST when there is no store.
    public func cases(for workload: BenchWorkload) throws -> [BenchCase] {
        if workload.needsData { _ = try Self.require(store) }
        switch workload {
        case .gemm: return EngineCases.gemm(sizes: gemmSizes)
        case .conv: return EngineCases.conv()
        case .mlp, .cnn: return TrainingCases.cases(workload, images: trainImages, withPeers: peers != nil)
        case .study: return StudyCases.cases(store: try Self.require(store))
        case .kmeans, .silhouette, .umap: return AnalysisCases.cases(workload, signatures: signatures, withPeers: peers != nil, pool: pool)
        }
    }

    private static func require(_ store: DatasetStore?) throws -> DatasetStore {
        guard let store else { throw BenchError("this workload needs MNIST: set SIGNET_DATA or let signet download it") }
        return store
    }
}
