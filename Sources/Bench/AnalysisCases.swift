import Datasets
import Engine
import Learning
import Signatures

/// The study's analysis at full scale: K-means, silhouettes and UMAP on the signatures of all
/// 70,000 MNIST images (the 64-unit second hidden layer of 784-32-64-10, trained one epoch on
/// the 60,000 training images with seed 0 on the CPU backend, standardized per unit, as the
/// study standardizes them).
enum AnalysisCases {
    /// The cases of `workload` (`.kmeans`, `.silhouette` or `.umap`) on `signatures`.
    static func cases(_ workload: BenchWorkload, signatures: BenchSignatures) -> [BenchCase] {
        let ks = Array(2...10)
        switch workload {
        case .kmeans:
            return [BenchCase(workload: .kmeans, name: "K-means k = 2 ... 10, n_init 10, 70,000 x 64", warmUp: false) { backend in
                let matrix = try signatures.matrix(on: backend)
                return {
                    for k in ks { _ = try KMeans(KMeansConfiguration(clusters: k, restarts: 10, seed: 0)).fit(matrix) }
                    try backend.synchronize()
                }
            }]
        case .silhouette:
            return [BenchCase(workload: .silhouette, name: "exact silhouette of 9 labelings, 70,000 x 64", warmUp: false) { backend in
                let matrix = try signatures.matrix(on: backend), labelings = try signatures.labelings(ks)
                return {
                    _ = try Silhouette().scores(of: labelings, on: matrix)
                    try backend.synchronize()
                }
            }]
        case .umap:
            return [10_000, signatures.rows].map { rows in
                BenchCase(workload: .umap, name: "UMAP \(rows) x 64", warmUp: false) { backend in
                    let matrix = try signatures.matrix(on: backend, rows: rows)
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

    /// Trains the network and takes its second hidden layer's standardized signatures.
    public static func make(train: LabeledImages, test: LabeledImages) throws -> BenchSignatures {
        let everyDigit = SubsetSpecification(classes: Array(0...9), perClass: nil, selection: .first)
        let training = try train.examples(everyDigit), testing = try test.examples(everyDigit)
        var generator = SeededGenerator(seed: 0)
        let model = try Sequential(spec: .multilayerPerceptron(inputs: 784, hidden: [32, 64], classes: 10),
                                   backend: CPUBackend(), generator: &generator)
        let trainer = try Trainer(model: model, configuration: TrainingConfiguration(epochs: 1, batchSize: 32, seed: 0),
                                  generator: generator)
        try trainer.fit(TrainingData(features: training.features, targets: training.oneHotTargets(), featureShape: [784], classes: 10))
        let images = training.features + testing.features, rows = images.count / 784
        let values = try model.activations(of: ["hidden_2"], for: images)["hidden_2"]!
        let columns = values.count / rows
        let standardized = try Standardization(fitting: values, rows: rows, columns: columns).transform(values, rows: rows)
        return BenchSignatures(values: standardized, rows: rows, columns: columns)
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
