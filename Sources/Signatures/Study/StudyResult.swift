import Learning
import SignetBuild

/// What a study found: the one value `Study.run` returns, written as `result.json`, and all the
/// report reads.
///
/// Schema `signet.study/1`. Labels are the dataset's (digits 0-9 for MNIST, articles for
/// Fashion-MNIST, named by `classNames`); clusters are numbered from 0 within their layer; every
/// share is a fraction in [0, 1]; times are seconds. An optional value absent from the JSON is
/// none: a cluster without a majority label, a k without a clustering.
public struct StudyResult: Codable, Equatable, Sendable {
    /// The schema this value follows; readers refuse another major version.
    public var schema: String
    /// The settings the study ran with, defaults filled in.
    public var configuration: StudyConfiguration
    /// The backend and its kernel parameters.
    public var backend: BackendDescription
    /// The name of every label that appears (kept and anomaly classes), by label.
    public var classNames: [String: String]
    /// One run per seed, in seed order.
    public var runs: [StudyRun]
    /// Every figure of the runs as its mean, minimum and maximum over seeds (one seed: all three equal).
    public var spread: [FigureSpread]
    /// Time per phase, summed over runs.
    public var phases: [PhaseTime]
    /// The build of Signet that ran the study (absent from results written before it was recorded).
    public var build: SignetBuild?

    /// The schema `Study` writes.
    public static let currentSchema = "signet.study/1"

    public init(configuration: StudyConfiguration, backend: BackendDescription, classNames: [String: String],
                runs: [StudyRun], phases: [PhaseTime]) {
        schema = Self.currentSchema
        self.configuration = configuration
        self.backend = backend
        self.classNames = classNames
        self.runs = runs
        spread = FigureSpread.spreads(of: runs.map { $0.figures() })
        self.phases = phases
        build = .current
    }

    /// The name of `label` ("7", "Trouser").
    public func name(_ label: Int) -> String { classNames[String(label)] ?? String(label) }
}

/// The backend a study ran on, as a reader needs to compare runs.
public struct BackendDescription: Codable, Equatable, Sendable {
    /// `cpu` or `opencl`.
    public var kind: String
    /// The device, as `signet devices` names it.
    public var description: String
    /// Kernel and tiling parameters that shape the numbers (GEMM variant, silhouette block rows ...).
    public var parameters: [String: String]

    public init(kind: String, description: String, parameters: [String: String]) {
        self.kind = kind
        self.description = description
        self.parameters = parameters
    }
}

/// The seconds one phase of a study took.
public struct PhaseTime: Codable, Equatable, Sendable {
    /// `training` (or `checkpoint`), `signatures`, `k-means hidden_1`, `silhouette hidden_1` (the
    /// analysis without anomalies, per layer), `inserted anomalies`, `placed anomalies`.
    public var phase: String
    public var seconds: Double

    public init(phase: String, seconds: Double) {
        self.phase = phase
        self.seconds = seconds
    }

    /// The phases of several runs, summed by name, in first-seen order.
    static func summed(_ phases: [[PhaseTime]]) -> [PhaseTime] {
        var order: [String] = [], totals: [String: Double] = [:]
        for phase in phases.joined() {
            if totals[phase.phase] == nil { order.append(phase.phase) }
            totals[phase.phase, default: 0] += phase.seconds
        }
        return order.map { PhaseTime(phase: $0, seconds: totals[$0]!) }
    }
}

/// One run of the study: one trained model (one seed) and its analyses.
public struct StudyRun: Codable, Equatable, Sendable {
    /// The seed of training and K-means.
    public var seed: UInt64
    /// The model, its training and its test metrics.
    public var model: TrainedModel
    /// The studied layers, in order.
    public var layers: [String]
    /// The analysis set without anomalies.
    public var analysis: Analysis
    /// One analysis per inserted anomaly class (or one with all of them): the analysis set plus
    /// the anomaly images, clustered anew.
    public var inserted: [Analysis]
    /// Test images placed into the clusters of `analysis` and scored by path rarity; only when the
    /// analysis set is the training images.
    public var placed: PlacedAnomalies?
    /// Time per phase.
    public var phases: [PhaseTime]

    public init(seed: UInt64, model: TrainedModel, layers: [String], analysis: Analysis, inserted: [Analysis],
                placed: PlacedAnomalies?, phases: [PhaseTime]) {
        self.seed = seed
        self.model = model
        self.layers = layers
        self.analysis = analysis
        self.inserted = inserted
        self.placed = placed
        self.phases = phases
    }
}

/// The studied model: its layers, how it was trained and how it scores on the test images.
public struct TrainedModel: Codable, Equatable, Sendable {
    public var spec: ModelSpec
    public var training: TrainingConfiguration
    /// One record per epoch trained (a checkpoint's whole history).
    public var history: [EpochRecord]
    /// On every test image of the model's classes.
    public var test: TestResult
    /// The checkpoint it was read from, if any.
    public var checkpoint: String?

    public init(spec: ModelSpec, training: TrainingConfiguration, history: [EpochRecord], test: TestResult, checkpoint: String?) {
        self.spec = spec
        self.training = training
        self.history = history
        self.test = test
        self.checkpoint = checkpoint
    }
}
