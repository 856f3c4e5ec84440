/// The paths of an analysis: label -> cluster per layer -> prediction, as a Sankey diagram draws
/// them.
public struct PathSummary: Codable, Equatable, Sendable {
    /// The stages in order: `label`, each studied layer, `prediction`.
    public var stages: [String]
    /// Between each stage and the next (`stages.count - 1` lists), the non-empty flows. A node is a
    /// label at `label` and `prediction`, a cluster at a layer.
    public var flows: [[Flow]]
    /// The most frequent full paths (label, clusters, prediction), most frequent first.
    public var frequent: [PathCount]
    /// Images in a cluster whose majority label is not their own, per layer: the original's four
    /// 7s among the 1s.
    public var notable: [NotableImage]

    /// The purity at which a layer counts as separating the classes.
    public static let separationPurity = 0.9

    public init(stages: [String], flows: [[Flow]], frequent: [PathCount], notable: [NotableImage]) {
        self.stages = stages
        self.flows = flows
        self.frequent = frequent
        self.notable = notable
    }
}

/// Images going from one node of a stage to one node of the next.
public struct Flow: Codable, Equatable, Sendable {
    /// The node at the earlier stage: a label at `label`, else a cluster of that layer.
    public var from: Int
    /// The node at the next stage: a cluster of that layer, or a label at `prediction`.
    public var to: Int
    /// The images taking this link.
    public var count: Int

    public init(from: Int, to: Int, count: Int) {
        self.from = from
        self.to = to
        self.count = count
    }
}

/// One full path and how many images took it.
public struct PathCount: Codable, Equatable, Sendable {
    public var label: Int
    /// The cluster in each studied layer, in layer order.
    public var clusters: [Int]
    /// The predicted label.
    public var prediction: Int
    /// The images taking this path.
    public var count: Int

    public init(label: Int, clusters: [Int], prediction: Int, count: Int) {
        self.label = label
        self.clusters = clusters
        self.prediction = prediction
        self.count = count
    }
}

/// An image clustered with another label's majority.
public struct NotableImage: Codable, Equatable, Sendable {
    /// The layer where it sits in another label's cluster.
    public var layer: String
    /// Its position in the analysis's `images`.
    public var image: Int
    public var label: Int
    public var cluster: Int
    /// The majority label of its cluster.
    public var clusterMajority: Int

    public init(layer: String, image: Int, label: Int, cluster: Int, clusterMajority: Int) {
        self.layer = layer
        self.image = image
        self.label = label
        self.cluster = cluster
        self.clusterMajority = clusterMajority
    }
}
