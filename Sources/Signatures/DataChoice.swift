import Datasets
import Foundation
import Learning

/// The data a model is trained on: the dataset, the subset of its training images (digits, how
/// many of each, how they are picked), and whether training validates on the test images.
///
/// Stored with the model's checkpoint (`annotation`, under `annotationKey`), so that evaluating
/// or resuming it later loads the very same images.
public struct DataChoice: Codable, Equatable, Sendable {
    public var dataset: DatasetName
    /// The training images: their digits (the model's classes, in order) and how many of each.
    public var subset: SubsetSpecification
    /// Validate every epoch on the test images (Keras's `validation_data`).
    public var validateOnTest: Bool

    private enum CodingKeys: String, CodingKey { case dataset, subset, validateOnTest }

    /// The checkpoint annotation that holds the choice.
    public static let annotationKey = "data"

    public init(dataset: DatasetName, subset: SubsetSpecification, validateOnTest: Bool = false) {
        self.dataset = dataset
        self.subset = subset
        self.validateOnTest = validateOnTest
    }

    /// Decodes a stored choice; `validateOnTest` is absent from checkpoints older than it (false).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        dataset = try container.decode(DatasetName.self, forKey: .dataset)
        subset = try container.decode(SubsetSpecification.self, forKey: .subset)
        validateOnTest = try container.decodeIfPresent(Bool.self, forKey: .validateOnTest) ?? false
    }

    /// The choice as a checkpoint stores it: JSON.
    public var annotation: String {
        // Names, integers and booleans only: encoding cannot fail.
        String(decoding: try! JSONEncoder().encode(self), as: UTF8.self)
    }

    /// The choice stored in `checkpoint` (read from `path`, which only names it in errors).
    ///
    /// - Throws: `LearningError.badCheckpoint` when the checkpoint holds no readable choice (it
    ///   was written by other code, or by hand).
    public init(checkpoint: Checkpoint, path: String) throws {
        guard let text = checkpoint.annotations[Self.annotationKey],
              let choice = try? JSONDecoder().decode(DataChoice.self, from: Data(text.utf8)) else {
            throw LearningError.badCheckpoint(path: path, reason: "it does not say which data it was trained on")
        }
        self = choice
    }

    /// The training examples, as the subset specification says.
    ///
    /// - Throws: `DatasetError` when the files cannot be found or read, or the subset cannot be cut.
    public func trainingExamples(from store: DatasetStore) throws -> Examples {
        try store.load(dataset, split: .train).examples(subset)
    }

    /// Every test image of `classes` (all of the model's digits by default), as the study tests.
    ///
    /// - Throws: `SignaturesError.invalidArgument` if a digit of `classes` is not one of the
    ///   model's; `DatasetError` as `trainingExamples(from:)`.
    public func testExamples(from store: DatasetStore, classes: [Int]? = nil) throws -> Examples {
        let trained = subset.classes
        if let unknown = classes?.first(where: { !trained.contains($0) }) {
            throw SignaturesError.invalidArgument(
                "digit \(unknown) is not one of the model's classes (\(trained.map(String.init).joined(separator: ", ")))")
        }
        let spec = SubsetSpecification(classes: classes ?? trained, perClass: nil, selection: .first)
        return try store.load(dataset, split: .test).examples(spec)
    }
}
