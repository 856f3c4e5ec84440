/// Where the inserted images of one anomaly label went: per layer the clusters they joined, and
/// how the model classified them.
public struct AnomalyRoute: Codable, Equatable, Sendable {
    /// The anomaly label.
    public var label: Int
    /// Its images inserted.
    public var count: Int
    /// One entry per studied layer, in order.
    public var layers: [LayerRoute]
    /// How many of its images the model predicts as each kept label.
    public var predictions: [LabelCount]

    public init(label: Int, count: Int, layers: [LayerRoute], predictions: [LabelCount]) {
        self.label = label
        self.count = count
        self.layers = layers
        self.predictions = predictions
    }
}

/// One layer of an anomaly route.
public struct LayerRoute: Codable, Equatable, Sendable {
    public var layer: String
    /// The clusters the anomaly images joined, most joined first.
    public var clusters: [ClusterShare]
    /// Their shares by the majority label of the cluster joined (nil: a cluster of anomalies
    /// only), largest first: "the 4s go with the 7s".
    public var byMajority: [MajorityShare]

    public init(layer: String, clusters: [ClusterShare], byMajority: [MajorityShare]) {
        self.layer = layer
        self.clusters = clusters
        self.byMajority = byMajority
    }
}

/// The share of some images in one cluster.
public struct ClusterShare: Codable, Equatable, Sendable {
    public var cluster: Int
    public var count: Int
    public var share: Double
    /// The cluster's majority kept label; nil for a cluster of anomaly images only.
    public var majorityLabel: Int?

    public init(cluster: Int, count: Int, share: Double, majorityLabel: Int?) {
        self.cluster = cluster
        self.count = count
        self.share = share
        self.majorityLabel = majorityLabel
    }
}

/// The share of some images in clusters of one majority label.
public struct MajorityShare: Codable, Equatable, Sendable {
    /// nil: clusters of anomaly images only.
    public var majorityLabel: Int?
    public var count: Int
    public var share: Double

    public init(majorityLabel: Int?, count: Int, share: Double) {
        self.majorityLabel = majorityLabel
        self.count = count
        self.share = share
    }
}
