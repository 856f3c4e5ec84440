import Datasets
import Foundation
import Learning

/// Everything a study needs that can be checked before any training: the data loaded and cut,
/// the model's layers, the checkpoint read. Building the plan is where bad input is refused.
struct StudyPlan {
    let configuration: StudyConfiguration
    /// The model's layers and input shape.
    let spec: ModelSpec
    /// The studied layers, in the model's order.
    let layers: [String]
    /// The model's output layer, whose argmax is the prediction.
    let outputLayer: String
    /// The images the model is trained on.
    let training: Examples
    /// The analysis set without anomalies.
    let analysisSet: ImageSet
    /// Every test image of the kept classes: the model's test metrics, and the placed negatives.
    let test: Examples
    /// Per anomaly label: its first N training images (N = the kept classes' images per class),
    /// inserted into the analysis set.
    let inserted: [Int: ImageSet]
    /// Per anomaly label: its test images, placed into the analysis's clusters (train analyses only).
    let placed: [Int: ImageSet]
    /// The checkpoint studied, if any.
    let checkpoint: Checkpoint?

    /// Reads and checks everything; the errors name the flag-level problem.
    /// - Throws: `SignaturesError.invalidArgument` for settings that cannot make a study;
    ///   `DatasetError` and `LearningError` when the files cannot be read.
    init(_ configuration: StudyConfiguration, store: DatasetStore) throws {
        try configuration.validate()
        self.configuration = configuration
        let data = configuration.data
        switch configuration.model {
        case let .train(spec, _):
            self.spec = spec
            checkpoint = nil
        case let .checkpoint(path):
            let read = try Checkpoint.read(from: URL(fileURLWithPath: path))
            let trained = try DataChoice(checkpoint: read, path: path)
            guard trained.dataset == data.dataset else {
                throw SignaturesError.invalidArgument(
                    "checkpoint \(path) was trained on \(trained.dataset.displayName), not \(data.dataset.displayName)")
            }
            guard trained.subset.classes.sorted() == configuration.classes else {
                throw SignaturesError.invalidArgument(
                    "checkpoint \(path) was trained on \(Self.list(trained.subset.classes.sorted(), data.dataset)), "
                        + "not \(Self.list(configuration.classes, data.dataset)); its outputs are those classes")
            }
            spec = read.model
            checkpoint = read
        }
        guard let output = spec.layers.last, case let .dense(_, units, _, _) = output, units == data.subset.classes.count else {
            throw SignaturesError.invalidArgument("the model must end in a dense layer with one unit per kept class (\(data.subset.classes.count))")
        }
        outputLayer = output.name
        layers = try Self.studiedLayers(configuration.layers, spec: spec)
        if let fixed = configuration.fixedK, fixed.count != 1, fixed.count != layers.count {
            throw SignaturesError.invalidArgument(
                "--k gives \(fixed.count) values for \(layers.count) studied layers (\(layers.joined(separator: ", "))): give one, or one per layer")
        }

        let trainImages = try store.load(data.dataset, split: .train)
        let testImages = try store.load(data.dataset, split: .test)
        training = try trainImages.examples(data.subset)
        test = try testImages.examples(SubsetSpecification(classes: data.subset.classes, perClass: nil, selection: .first))
        var analysisSet = ImageSet()
        for split in configuration.analyze.splits { analysisSet.append(split == .train ? Self.trainedOn(training, configuration) : test) }
        self.analysisSet = analysisSet
        try Self.checkK(configuration, points: analysisSet.count)
        var inserted: [Int: ImageSet] = [:], placed: [Int: ImageSet] = [:]
        for label in configuration.anomalies {
            // The first N, as the original inserted them, whatever picked the kept images.
            let subset = SubsetSpecification(classes: [label], perClass: data.subset.perClass, selection: .first)
            inserted[label] = ImageSet(try trainImages.examples(subset))
            if configuration.analyze == .train {
                placed[label] = ImageSet(try testImages.examples(SubsetSpecification(classes: [label], perClass: nil)))
            }
        }
        self.inserted = inserted
        self.placed = placed
    }

    /// The groups of anomaly labels inserted together: one group per label, or all in one.
    var insertionGroups: [[Int]] {
        let labels = configuration.anomalies
        guard !labels.isEmpty else { return [] }
        return configuration.anomaliesTogether ? [labels] : labels.map { [$0] }
    }

    /// The training images the model learns from: all of them, but for a validation split's
    /// held-out last ones (`TrainingData.splitLast` keeps the first `floor(n (1 - f))`).
    private static func trainedOn(_ training: Examples, _ configuration: StudyConfiguration) -> Examples {
        guard case let .train(_, settings) = configuration.model, let fraction = settings.validationSplit else { return training }
        return training.subset(Array(0..<Int((Double(training.count) * (1 - fraction)).rounded(.down))))
    }

    /// The layers named by `--layers`, or every conv, pool and dense hidden layer.
    private static func studiedLayers(_ names: [String]?, spec: ModelSpec) throws -> [String] {
        let hidden = spec.layers.dropLast()
        guard let names else {
            let studied = hidden.filter {
                switch $0 {
                case .dense, .conv2d, .maxPool2d: return true
                case .activation, .dropout, .flatten: return false
                }
            }.map(\.name)
            guard !studied.isEmpty else { throw SignaturesError.invalidArgument("the model has no hidden layer to study") }
            return studied
        }
        let known = hidden.map(\.name)
        if let unknown = names.first(where: { !known.contains($0) }) {
            throw SignaturesError.invalidArgument(
                "unknown layer '\(unknown)': the model's hidden layers are \(known.joined(separator: ", "))")
        }
        // In the model's order, so that paths run from input to output.
        return known.filter(names.contains)
    }

    /// Refuses a k the analysis set cannot have: a silhouette needs k <= points - 1.
    private static func checkK(_ configuration: StudyConfiguration, points: Int) throws {
        let largest = configuration.fixedK?.max() ?? configuration.kRange.upperBound
        guard largest <= points - 1 else {
            throw SignaturesError.invalidArgument(
                "k = \(largest) is too large for \(points) images: a silhouette needs k <= images - 1 (\(points - 1))")
        }
    }

    static func list(_ classes: [Int], _ dataset: DatasetName) -> String {
        classes.map(dataset.className).joined(separator: ", ")
    }
}
