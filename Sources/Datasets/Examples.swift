/// Examples ready for training: scaled, flattened, with their classes and origins.
///
/// Row `i` of `features` is one image, flattened row-major to `featureCount` values in [0, 1];
/// `classIndices[i]` is its class (position of its digit in `classes`), `originalLabels[i]`
/// its digit, and `sourceIndices[i]` its index in the split's files, so that the report can
/// show the very image a signature came from.
public struct Examples: Sendable {
    /// `count x featureCount` values, row-major, in [0, 1].
    public let features: [Float]
    /// Values per example: `imageRows * imageColumns` (784).
    public let featureCount: Int
    /// Image height (28), for models that see images as images (the CNN).
    public let imageRows: Int
    /// Image width (28).
    public let imageColumns: Int
    /// Each example's class: the position of its digit in `classes`.
    public let classIndices: [Int]
    /// Each example's digit (label) as stored, 0-9.
    public let originalLabels: [Int]
    /// Each example's image index in its split's files.
    public let sourceIndices: [Int]
    /// The kept digits, sorted: class `c` is digit `classes[c]`.
    public let classes: [Int]
    /// The dataset the images come from.
    public let dataset: DatasetName
    /// The split the images come from.
    public let split: Split

    /// Examples assembled elsewhere (tests, synthetic data). The sizes must agree.
    public init(features: [Float], imageRows: Int, imageColumns: Int, classIndices: [Int], originalLabels: [Int],
                sourceIndices: [Int], classes: [Int], dataset: DatasetName, split: Split) {
        let featureCount = imageRows * imageColumns
        precondition(featureCount > 0, "examples need at least one feature")
        precondition(features.count == classIndices.count * featureCount, "\(features.count) features do not make \(classIndices.count) rows of \(featureCount)")
        precondition(originalLabels.count == classIndices.count && sourceIndices.count == classIndices.count,
                     "classIndices, originalLabels and sourceIndices must have one entry per example")
        precondition(classIndices.allSatisfy { $0 >= 0 && $0 < classes.count }, "a class index is outside 0..<\(classes.count)")
        self.features = features
        self.featureCount = featureCount
        self.imageRows = imageRows
        self.imageColumns = imageColumns
        self.classIndices = classIndices
        self.originalLabels = originalLabels
        self.sourceIndices = sourceIndices
        self.classes = classes
        self.dataset = dataset
        self.split = split
    }

    /// How many examples.
    public var count: Int { classIndices.count }

    /// One-hot targets, `count x classes.count`, row-major: a 1 at each example's class.
    public func oneHotTargets() -> [Float] {
        var targets = [Float](repeating: 0, count: count * classes.count)
        for (row, classIndex) in classIndices.enumerated() { targets[row * classes.count + classIndex] = 1 }
        return targets
    }

    /// The examples at `indices` (positions in this value, in the order given; repeats allowed),
    /// e.g. to split off a validation set or a k-fold part. Classes stay the same.
    public func subset(_ indices: [Int]) -> Examples {
        let width = featureCount
        let features = [Float](unsafeUninitializedCapacity: indices.count * width) { buffer, initialized in
            self.features.withUnsafeBufferPointer { source in
                for (row, index) in indices.enumerated() {
                    precondition(index >= 0 && index < count, "example \(index) is outside 0..<\(count)")
                    (buffer.baseAddress! + row * width).initialize(from: source.baseAddress! + index * width, count: width)
                }
            }
            initialized = indices.count * width
        }
        return Examples(features: features, imageRows: imageRows, imageColumns: imageColumns,
                        classIndices: indices.map { classIndices[$0] }, originalLabels: indices.map { originalLabels[$0] },
                        sourceIndices: indices.map { sourceIndices[$0] }, classes: classes, dataset: dataset, split: split)
    }
}
