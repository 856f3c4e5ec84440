import Learning
import SignetBuild

/// What `index.json` lists: every experiment of a sweep with its headline numbers.
///
/// Schema `signet.sweep/1`. Every number is a `FigureSpread` over the experiment's seeds.
public struct SweepIndex: Codable, Equatable, Sendable {
    public var schema: String
    public var entries: [SweepEntry]
    /// The build of Signet that wrote the index (each experiment's `result.json` names its own;
    /// absent from indexes written before it was recorded).
    public var build: SignetBuild?

    public static let currentSchema = "signet.sweep/1"

    public init(entries: [SweepEntry]) {
        schema = Self.currentSchema
        self.entries = entries
        build = .current
    }
}

/// One experiment's headline numbers.
public struct SweepEntry: Codable, Equatable, Sendable {
    /// Its folder, beside `index.json`.
    public var name: String
    public var dataset: String
    /// The kept classes (labels).
    public var classes: [Int]
    /// Training images per class; nil: all of them.
    public var perClass: Int?
    /// The layers, e.g. `784-32-16-2` or `784-conv32-pool-64-10`.
    public var model: String
    public var seeds: Int
    public var testAccuracy: FigureSpread?
    /// Per studied layer of the analysis without anomalies.
    public var layers: [LayerHeadline]
    /// The first layer reaching purity 0.9, per seed (nil: none).
    public var separatingLayers: [String?]
    /// Per anomaly label, the ROC AUC of its placed test images' path rarity.
    public var anomalyAUC: [String: FigureSpread]
    /// Seconds the experiment took; 0 when it was reused.
    public var seconds: Double
    /// Whether a complete result of the same configuration was found and read instead of run.
    public var reused: Bool

    /// The headlines of `result`.
    public init(name: String, result: StudyResult, seconds: Double, reused: Bool) {
        self.name = name
        let configuration = result.configuration
        dataset = configuration.data.dataset.rawValue
        classes = configuration.classes
        perClass = configuration.data.subset.perClass
        model = result.runs.first?.model.spec.outline ?? ""
        seeds = result.runs.count
        testAccuracy = result.figure("test/accuracy")
        layers = (result.runs.first?.layers ?? []).map { layer in
            let path = "analysis/\(layer)"
            return LayerHeadline(layer: layer, k: result.figure("\(path)/k"), silhouette: result.figure("\(path)/silhouette"),
                                 purity: result.figure("\(path)/purity"),
                                 concentration: Dictionary(uniqueKeysWithValues: configuration.classes.compactMap { label in
                                     result.figure("\(path)/concentration/\(label)").map { (String(label), $0) }
                                 }))
        }
        separatingLayers = result.runs.map(\.analysis.separatingLayer)
        anomalyAUC = Dictionary(uniqueKeysWithValues: configuration.anomalies.compactMap { label in
            result.figure("placed/\(label)/auc").map { (String(label), $0) }
        })
        self.seconds = seconds
        self.reused = reused
    }
}

/// One layer's headline numbers in a sweep's index.
public struct LayerHeadline: Codable, Equatable, Sendable {
    public var layer: String
    public var k: FigureSpread?
    public var silhouette: FigureSpread?
    public var purity: FigureSpread?
    /// Per kept label, the share of its images in its most common cluster.
    public var concentration: [String: FigureSpread]

    public init(layer: String, k: FigureSpread?, silhouette: FigureSpread?, purity: FigureSpread?, concentration: [String: FigureSpread]) {
        self.layer = layer
        self.k = k
        self.silhouette = silhouette
        self.purity = purity
        self.concentration = concentration
    }
}
