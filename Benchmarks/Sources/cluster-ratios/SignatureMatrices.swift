import Bench
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
        let store = DatasetStore()
        let network = try SignatureNetwork.train(train: try store.load(.mnist, split: .train), test: try store.load(.mnist, split: .test),
                                                 epochs: epochs, seed: seed)
        let rows = network.rows
        let activations = try network.signatures(of: layerNames)
        let layers = try layerNames.map { name -> (String, [Float], Int) in
            let values = activations[name]!, columns = values.count / rows
            let standardized = try Standardization(fitting: values, rows: rows, columns: columns).transform(values, rows: rows)
            return (name, standardized, columns)
        }
        return SignatureMatrices(layers: layers, rows: rows, trainingSeconds: network.trainingSeconds, testAccuracy: network.testAccuracy)
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
