import Datasets
import Learning

/// Everything a signature study needs to know, from the data to the clustering: the input of
/// `Study.run`, stored whole in its result.
///
/// The defaults: standardized signatures of every conv, pool and dense hidden layer, k = 2 ... 10
/// chosen by silhouette as the original did, 10 K-means restarts (scikit-learn's default; the
/// original clustered with 100), one seed.
public struct StudyConfiguration: Codable, Equatable, Sendable {
    /// The data the model is trained on, which is also the analysis set's kept classes and images
    /// per class (`DataChoice.subset`).
    public var data: DataChoice
    /// Where the model comes from: trained here, or read from a checkpoint.
    public var model: ModelSource
    /// The layers whose signatures are studied, by name; nil means every convolution, pooling and
    /// dense hidden layer (not dropout, flatten or the output).
    public var layers: [String]?
    /// Standardize each signature unit (zero mean, unit variance over the analysis set), as the
    /// original did.
    public var standardize: Bool
    /// The candidate k of every layer: the one of highest mean silhouette is chosen.
    public var kRange: ClosedRange<Int>
    /// Fixed k instead of choosing by silhouette: one value for every layer, or one per studied
    /// layer, in order; nil chooses.
    public var fixedK: [Int]?
    /// K-means restarts (scikit-learn's `n_init`) of every clustering.
    public var restarts: Int
    /// Classes the model never saw, inserted into the analysis set (the original's 3s and 4s).
    public var anomalies: [Int]
    /// One analysis with every anomaly class inserted together, instead of one per class.
    public var anomaliesTogether: Bool
    /// The first run's seed: training's (initialization, shuffles; it replaces `training.seed`) and
    /// K-means's.
    public var seed: UInt64
    /// How many times the whole study runs, training included, with seeds `seed ... seed + seeds - 1`.
    public var seeds: Int
    /// Which images are analysed: the training images the model saw, the test images of its
    /// classes, or both.
    public var analyze: AnalysisSet
    /// How each studied layer (of every analysis) is mapped to 2-D; nil: no maps. The map's seed
    /// is replaced by the run's.
    public var umap: UMAPConfiguration?
    /// Also map the analysis images' raw pixels (the input, 784 values each).
    public var umapInput: Bool

    /// A study of `data` with the model `model`; the other settings default to the original's.
    public init(data: DataChoice, model: ModelSource, layers: [String]? = nil, standardize: Bool = true,
                kRange: ClosedRange<Int> = 2...10, fixedK: [Int]? = nil, restarts: Int = 10, anomalies: [Int] = [],
                anomaliesTogether: Bool = false, seed: UInt64 = 1, seeds: Int = 1, analyze: AnalysisSet = .train,
                umap: UMAPConfiguration? = UMAPConfiguration(), umapInput: Bool = false) {
        self.data = data
        self.model = model
        self.layers = layers
        self.standardize = standardize
        self.kRange = kRange
        self.fixedK = fixedK
        self.restarts = restarts
        self.anomalies = anomalies
        self.anomaliesTogether = anomaliesTogether
        self.seed = seed
        self.seeds = seeds
        self.analyze = analyze
        self.umap = umap
        self.umapInput = umapInput
    }

    /// The classes the model is trained on, sorted: the model's outputs, in order.
    public var classes: [Int] { data.subset.classes.sorted() }

    /// Refuses settings that cannot make a study, with the reason, before any work.
    ///
    /// What needs the data or the model (k against the number of points, layer names) is checked
    /// by `Study.init` once they are known, still before any training.
    /// - Throws: `SignaturesError.invalidArgument`.
    public func validate() throws {
        let kept = classes
        guard kept.count >= 2 else {
            throw SignaturesError.invalidArgument("a study needs at least two classes to tell apart, got \(kept.count)")
        }
        if let clash = anomalies.first(where: kept.contains) {
            throw SignaturesError.invalidArgument(
                "anomaly \(data.dataset.classNoun) \(data.dataset.className(clash)) is one of the kept classes; anomalies are classes the model never saw")
        }
        if let bad = anomalies.first(where: { !(0...9).contains($0) }) {
            throw SignaturesError.invalidArgument("anomaly \(bad) is not a class of \(data.dataset.displayName) (0-9)")
        }
        guard Set(anomalies).count == anomalies.count else {
            throw SignaturesError.invalidArgument("an anomaly class is listed twice")
        }
        guard kRange.lowerBound >= 2 else {
            throw SignaturesError.invalidArgument("k must be at least 2 (a silhouette compares clusters), got \(kRange.lowerBound)")
        }
        if let fixedK, let bad = fixedK.first(where: { $0 < 2 }) {
            throw SignaturesError.invalidArgument("k must be at least 2 (a silhouette compares clusters), got \(bad)")
        }
        if let fixedK, fixedK.isEmpty { throw SignaturesError.invalidArgument("a fixed k needs at least one value") }
        guard restarts >= 1 else { throw SignaturesError.invalidArgument("K-means needs at least one restart, got \(restarts)") }
        guard seeds >= 1 else { throw SignaturesError.invalidArgument("a study needs at least one seed, got \(seeds)") }
        guard seed <= UInt64.max - UInt64(seeds - 1) else {
            throw SignaturesError.invalidArgument("seeds \(seed) ... \(seed) + \(seeds - 1) go past the largest seed, \(UInt64.max)")
        }
        if case .checkpoint = model, seeds > 1 {
            throw SignaturesError.invalidArgument("several seeds retrain the model; a checkpoint is one trained model (use one seed)")
        }
        if let layers, Set(layers).count != layers.count {
            throw SignaturesError.invalidArgument("a layer is listed twice")
        }
        if let layers, layers.isEmpty { throw SignaturesError.invalidArgument("no layer to study") }
        if let umap {
            do { try umap.validate() } catch { throw SignaturesError.invalidArgument("\(error)") }
        }
        if umapInput, umap == nil { throw SignaturesError.invalidArgument("a map of the input needs the maps on") }
        if case let .train(_, training) = model {
            do { try training.validate() } catch { throw SignaturesError.invalidArgument("\(error)") }
        }
    }
}

/// Where a study's model comes from.
public enum ModelSource: Codable, Equatable, Sendable {
    /// Trained by the study, from scratch, once per seed (the run's seed replaces `training.seed`).
    case train(model: ModelSpec, training: TrainingConfiguration)
    /// A checkpoint written by `signet train --save`: its weights, model and data. The path is
    /// absolute (as `signet study` records it), so that a study resumed from another folder
    /// reads the same file.
    case checkpoint(path: String)
}

/// Which images a study analyses.
public enum AnalysisSet: String, Codable, Sendable, CaseIterable {
    /// The training images the model saw (the original's analysis set).
    case train
    /// Every test image of the model's classes.
    case test
    /// Both.
    case all

    /// The splits analysed, in order.
    public var splits: [Split] {
        switch self {
        case .train: return [.train]
        case .test: return [.test]
        case .all: return [.train, .test]
        }
    }
}
