import Datasets
import Foundation
import Learning

/// The data a model was trained on, stored with its checkpoint so that `evaluate` and
/// `--resume` load the same images.
struct DataChoice: Codable, Equatable {
    var dataset: DatasetName
    var subset: SubsetSpecification
    /// Validate every epoch on the test images (Keras's `validation_data`).
    var validateOnTest: Bool

    private enum CodingKeys: String, CodingKey { case dataset, subset, validateOnTest }

    static let annotationKey = "data"

    var annotation: String {
        String(decoding: try! JSONEncoder().encode(self), as: UTF8.self)
    }

    init(dataset: DatasetName, subset: SubsetSpecification, validateOnTest: Bool = false) {
        self.dataset = dataset
        self.subset = subset
        self.validateOnTest = validateOnTest
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        dataset = try container.decode(DatasetName.self, forKey: .dataset)
        subset = try container.decode(SubsetSpecification.self, forKey: .subset)
        validateOnTest = try container.decodeIfPresent(Bool.self, forKey: .validateOnTest) ?? false
    }

    /// The choice stored in a checkpoint.
    init(checkpoint: Checkpoint, path: String) throws {
        guard let text = checkpoint.annotations[Self.annotationKey],
              let choice = try? JSONDecoder().decode(DataChoice.self, from: Data(text.utf8)) else {
            throw CLIFailure("checkpoint \(path) does not say which data it was trained on")
        }
        self = choice
    }

    /// The training examples, as the subset specification says.
    func trainingExamples(from store: DatasetStore) throws -> Examples {
        try store.load(dataset, split: .train).examples(subset)
    }

    /// Every test image of `classes` (all of the model's digits by default), as the study tests.
    func testExamples(from store: DatasetStore, classes: [Int]? = nil) throws -> Examples {
        let spec = SubsetSpecification(classes: classes ?? subset.classes, perClass: nil, selection: .first)
        return try store.load(dataset, split: .test).examples(spec)
    }
}

extension Examples {
    /// The examples as the trainer takes them: features (one example of `shape`, `[784]` for the
    /// dense network, `[28, 28, 1]` for a CNN: the same values) and one-hot targets.
    func trainingData(shape: [Int]) throws -> TrainingData {
        try TrainingData(features: features, targets: oneHotTargets(), featureShape: shape, classes: classes.count)
    }
}
