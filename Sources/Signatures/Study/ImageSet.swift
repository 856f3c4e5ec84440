import Datasets

/// Images gathered for an analysis, from one or more splits: pixels, labels and origins, in order.
struct ImageSet {
    /// `count x featureCount` values in [0, 1].
    private(set) var features: [Float] = []
    private(set) var labels: [Int] = []
    private(set) var splits: [Split] = []
    private(set) var indices: [Int] = []

    var count: Int { labels.count }

    init() {}

    init(_ examples: Examples) {
        append(examples)
    }

    mutating func append(_ examples: Examples) {
        features += examples.features
        labels += examples.originalLabels
        splits += Array(repeating: examples.split, count: examples.count)
        indices += examples.sourceIndices
    }

    mutating func append(_ other: ImageSet) {
        features += other.features
        labels += other.labels
        splits += other.splits
        indices += other.indices
    }
}

/// One layer's signatures of an image set: `rows x width` values, row-major, as the model computed them.
struct LayerValues {
    let layer: String
    let rows: Int
    let width: Int
    var values: [Float]

    /// These rows followed by `other`'s (the same layer).
    func appending(_ other: LayerValues) -> LayerValues {
        LayerValues(layer: layer, rows: rows + other.rows, width: width, values: values + other.values)
    }
}
