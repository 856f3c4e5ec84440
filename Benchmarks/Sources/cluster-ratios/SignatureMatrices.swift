import Datasets
import Engine
import Foundation
import Learning
import Signatures

/// The benchmark's input: the two hidden layers' standardized signatures of all 70,000 MNIST
/// images, from a dense network 784-32-64-10 trained for a few epochs on the 60,000 training
/// images (CPU backend, seeded), as the study computes them.
struct SignatureMatrices {
    /// Layer name -> row-major `images x units` values, standardized per unit.
    var layers: [(name: String, values: [Float], columns: Int)]
    var rows: Int
    var trainingSeconds: Double
    var testAccuracy: Double

    static let layerNames = ["hidden_1", "hidden_2"]

    static func make(epochs: Int, seed: UInt64) throws -> SignatureMatrices {
        let store = try DatasetStore()
        let everyDigit = SubsetSpecification(classes: Array(0...9), perClass: nil, selection: .first)
        let train = try store.load(.mnist, split: .train).examples(everyDigit)
        let test = try store.load(.mnist, split: .test).examples(everyDigit)
        var generator = SeededGenerator(seed: seed)
        let model = try Sequential(spec: .multilayerPerceptron(inputs: 784, hidden: [32, 64], classes: 10),
                                   backend: CPUBackend(), generator: &generator)
        let trainer = try Trainer(model: model, configuration: TrainingConfiguration(epochs: epochs, batchSize: 32, seed: seed),
                                  generator: generator)
        let start = Date()
        try trainer.fit(TrainingData(features: train.features, targets: train.oneHotTargets(), featureShape: [784], classes: 10))
        let seconds = Date().timeIntervalSince(start)
        let predictions = try model.predict(test.features)
        var correct = 0
        for (i, label) in test.classIndices.enumerated() {
            let row = predictions[i * 10..<(i + 1) * 10]
            if row.firstIndex(of: row.max()!)! - row.startIndex == label { correct += 1 }
        }
        let images = train.features + test.features
        let rows = images.count / 784
        let activations = try model.activations(of: layerNames, for: images)
        let layers = try layerNames.map { name -> (String, [Float], Int) in
            let values = activations[name]!, columns = values.count / rows
            let standardized = try Standardization(fitting: values, rows: rows, columns: columns).transform(values, rows: rows)
            return (name, standardized, columns)
        }
        return SignatureMatrices(layers: layers, rows: rows, trainingSeconds: seconds,
                                 testAccuracy: Double(correct) / Double(test.classIndices.count))
    }

    /// Writes the matrices as one safetensors file (one F32 tensor per layer), atomically.
    func write(to url: URL) throws {
        var file = SafeTensors()
        for layer in layers { file.tensors[layer.name] = .init(shape: [rows, layer.columns], values: layer.values) }
        try file.encoded().write(to: url, options: .atomic)
    }
}

extension SignatureMatrices {
    /// The matrices an earlier run wrote (training time and accuracy unknown: 0).
    init(contentsOf url: URL) throws {
        let file = try SafeTensors(decoding: Data(contentsOf: url))
        layers = try Self.layerNames.map { name in
            guard let entry = file.tensors[name], entry.shape.count == 2 else { throw PeerFailure("\(url.path) lacks \(name)") }
            return (name, entry.values, entry.shape[1])
        }
        rows = file.tensors[Self.layerNames[0]]!.shape[0]
        trainingSeconds = 0
        testAccuracy = 0
    }
}
