import Datasets

/// One clustering of an analysis set: every studied layer clustered, every image's path through
/// the clusters, and where inserted anomaly images went.
public struct Analysis: Codable, Equatable, Sendable {
    /// `analysis` for the set without anomalies; `with 3`, `with 3, 4` for inserted anomalies.
    public var name: String
    /// The anomaly labels inserted (none for the plain analysis).
    public var anomalies: [Int]
    /// Every image of the set, in order: kept-class images first, then any anomaly images.
    public var images: [ImageRecord]
    /// One entry per studied layer, in order.
    public var layers: [LayerAnalysis]
    /// The first studied layer whose purity reaches `PathSummary.separationPurity`: where the model
    /// starts to separate the classes; nil when none does.
    public var separatingLayer: String?
    /// Flows between stages, the most frequent paths, the notable images.
    public var paths: PathSummary
    /// Per inserted anomaly label, where its images went in each layer and how they were classified.
    public var routes: [AnomalyRoute]
    /// The UMAP map of the images' raw pixels, when asked for.
    public var inputMap: LayerMap?

    public init(name: String, anomalies: [Int], images: [ImageRecord], layers: [LayerAnalysis],
                separatingLayer: String?, paths: PathSummary, routes: [AnomalyRoute]) {
        self.name = name
        self.anomalies = anomalies
        self.images = images
        self.layers = layers
        self.separatingLayer = separatingLayer
        self.paths = paths
        self.routes = routes
    }
}

/// One analysed image: where it comes from and its path label -> clusters -> prediction.
public struct ImageRecord: Codable, Equatable, Sendable {
    /// The split of the dataset it is read from.
    public var split: Split
    /// Its index in that split's files.
    public var index: Int
    /// Its label in the dataset (a digit, or an article's number).
    public var label: Int
    /// Its cluster in each studied layer, in layer order.
    public var clusters: [Int]
    /// The label the model predicts for it (one of the kept classes).
    public var prediction: Int

    public init(split: Split, index: Int, label: Int, clusters: [Int], prediction: Int) {
        self.split = split
        self.index = index
        self.label = label
        self.clusters = clusters
        self.prediction = prediction
    }
}

/// One layer of an analysis: how k was chosen, the final clustering and how it matches the labels.
public struct LayerAnalysis: Codable, Equatable, Sendable {
    /// The layer's name in the model (`hidden_1`, `conv_1`).
    public var layer: String
    /// Values per signature.
    public var width: Int
    /// Every candidate k with its mean silhouette and inertia (empty when k was fixed).
    public var candidates: [KCandidate]
    /// The k of the final clustering.
    public var k: Int
    /// Whether k was given (`--k`) rather than chosen by silhouette.
    public var kFixed: Bool
    /// The mean silhouette of the final clustering; absent for a layer whose signatures are all
    /// alike (a dead layer), clustered as one cluster of every image (k = 1).
    public var silhouette: Double?
    /// The final clustering's inertia (sum of squared distances to the centroids).
    public var inertia: Double
    /// Lloyd iterations of the kept restart.
    public var iterations: Int
    /// Agreement of the clusters with the labels, over every image (anomalies included).
    public var adjustedRandIndex: Double
    /// Mutual information over the arithmetic mean of the two entropies (scikit-learn's default).
    public var normalizedMutualInformation: Double
    /// Cluster purity over the kept-class images.
    public var purity: Double
    /// Per kept label, the share of its images in its most common cluster.
    public var concentration: [LabelConcentration]
    /// Every cluster: its size, labels and majority label.
    public var clusters: [ClusterSummary]
    /// The layer's signatures (as clustered) mapped to 2-D by UMAP; absent without maps.
    public var map: LayerMap?

    public init(layer: String, width: Int, candidates: [KCandidate], k: Int, kFixed: Bool, silhouette: Double?,
                inertia: Double, iterations: Int, adjustedRandIndex: Double, normalizedMutualInformation: Double,
                purity: Double, concentration: [LabelConcentration], clusters: [ClusterSummary]) {
        self.layer = layer
        self.width = width
        self.candidates = candidates
        self.k = k
        self.kFixed = kFixed
        self.silhouette = silhouette
        self.inertia = inertia
        self.iterations = iterations
        self.adjustedRandIndex = adjustedRandIndex
        self.normalizedMutualInformation = normalizedMutualInformation
        self.purity = purity
        self.concentration = concentration
        self.clusters = clusters
    }
}

/// A UMAP map of an analysis set in one layer (or of its input) and how faithful it is.
public struct LayerMap: Codable, Equatable, Sendable {
    /// `images x 2`, row-major, in the analysis's image order.
    public var coordinates: [Float]
    /// scikit-learn's trustworthiness with 15 neighbours: exact up to 10,000 images, else over a
    /// seeded sample of 10,000 of them (ranks among all), as `trustworthinessSample` says.
    public var trustworthiness: Double?
    /// The images the trustworthiness was computed over (absent below 4 images: k < n / 2 fails).
    public var trustworthinessSample: Int
    /// `spectral`, or `random` for a disconnected neighbour graph. (Its times are the run's
    /// `umap ... <layer>` phases.)
    public var initialization: String

    public init(coordinates: [Float], trustworthiness: Double?, trustworthinessSample: Int, initialization: String) {
        self.coordinates = coordinates
        self.trustworthiness = trustworthiness
        self.trustworthinessSample = trustworthinessSample
        self.initialization = initialization
    }

    /// Trustworthiness's neighbours, and the largest set scored exactly.
    public static let trustworthinessNeighbors = 15
    public static let trustworthinessSampleLimit = 10_000
}

/// One candidate k of a layer.
public struct KCandidate: Codable, Equatable, Sendable {
    public var k: Int
    /// The mean silhouette of the K-means clustering with k clusters; nil when the signatures have
    /// fewer than k distinct values (no such clustering exists).
    public var silhouette: Double?
    /// That clustering's inertia (sum of squared distances to the centroids); nil likewise.
    public var inertia: Double?

    public init(k: Int, silhouette: Double?, inertia: Double?) {
        self.k = k
        self.silhouette = silhouette
        self.inertia = inertia
    }
}

/// How concentrated one label is: the share of its images in its most common cluster.
public struct LabelConcentration: Codable, Equatable, Sendable {
    public var label: Int
    /// The share of the label's images in `cluster`.
    public var share: Double
    /// That most common cluster.
    public var cluster: Int

    public init(label: Int, share: Double, cluster: Int) {
        self.label = label
        self.share = share
        self.cluster = cluster
    }
}

/// One cluster of a layer.
public struct ClusterSummary: Codable, Equatable, Sendable {
    public var cluster: Int
    /// Its number of images, anomalies included.
    public var size: Int
    /// Images per label in it, kept and anomaly labels alike, by ascending label.
    public var labels: [LabelCount]
    /// The most common kept label (the smallest on a tie); nil for a cluster of anomaly images only.
    public var majorityLabel: Int?

    public init(cluster: Int, size: Int, labels: [LabelCount], majorityLabel: Int?) {
        self.cluster = cluster
        self.size = size
        self.labels = labels
        self.majorityLabel = majorityLabel
    }
}

/// A number of images of one label.
public struct LabelCount: Codable, Equatable, Sendable {
    public var label: Int
    public var count: Int

    public init(label: Int, count: Int) {
        self.label = label
        self.count = count
    }
}
