import Datasets
import Engine
import Foundation
import Learning

/// The network whose signatures the analysis benchmarks cluster and map, as the study trains
/// it at full scale: 784-32-64-10 (ReLU, softmax) on MNIST's 60,000 training images, batch 32,
/// on the CPU backend, from one seed; its inputs are all 70,000 images, training images first.
public struct SignatureNetwork {
    public let model: Sequential
    /// All 70,000 images' pixels, training images first, 784 values each.
    public let images: [Float]
    public let trainingSeconds: Double
    /// On the 10,000 test images.
    public let testAccuracy: Double

    /// The images (70,000).
    public var rows: Int { images.count / 784 }

    /// Trains the network for `epochs` epochs from `seed`.
    public static func train(train: LabeledImages, test: LabeledImages, epochs: Int, seed: UInt64) throws -> SignatureNetwork {
        let everyDigit = SubsetSpecification(classes: Array(0...9), perClass: nil, selection: .first)
        let training = try train.examples(everyDigit), testing = try test.examples(everyDigit)
        var generator = SeededGenerator(seed: seed)
        let model = try Sequential(spec: .multilayerPerceptron(inputs: 784, hidden: [32, 64], classes: 10),
                                   backend: CPUBackend(), generator: &generator)
        let trainer = try Trainer(model: model, configuration: TrainingConfiguration(epochs: epochs, batchSize: 32, seed: seed),
                                  generator: generator)
        let start = Date()
        try trainer.fit(TrainingData(features: training.features, targets: training.oneHotTargets(), featureShape: [784], classes: 10))
        let seconds = Date().timeIntervalSince(start)
        let predictions = try model.predict(testing.features)
        var correct = 0
        for (i, label) in testing.classIndices.enumerated() {
            let row = predictions[i * 10..<(i + 1) * 10]
            if row.firstIndex(of: row.max()!)! - row.startIndex == label { correct += 1 }
        }
        return SignatureNetwork(model: model, images: training.features + testing.features, trainingSeconds: seconds,
                                testAccuracy: Double(correct) / Double(max(testing.classIndices.count, 1)))
    }

    /// The named hidden layers' activations of every image, row-major `rows x units` each.
    public func signatures(of layers: [String]) throws -> [String: [Float]] {
        try model.activations(of: layers, for: images)
    }
}
