import ArgumentParser
import Datasets
import Engine
import Learning

/// Named configurations every command shares; explicit flags override them.
enum Preset: String, CaseIterable, ExpressibleByArgument {
    /// The original study: 784-32-16-2, MSE, Adam 1e-4, batch 12, 15 epochs, the first 100 training
    /// images of 1 and 7, tested on every test image of those digits.
    case original
    /// A modern default: 784-32-64-classes, cross-entropy, Adam 1e-3, batch 32, 10 epochs.
    case modern

    var settings: Settings {
        switch self {
        case .original:
            return Settings(digits: [1, 7], perClass: 100, hidden: [32, 16], loss: .meanSquaredError,
                            optimizer: .adam, learningRate: 1e-4, batchSize: 12, epochs: 15)
        case .modern:
            return Settings.defaults
        }
    }

    /// Every setting a preset fixes; nil means "all" for digits and images per class.
    struct Settings {
        var digits: [Int]?
        var perClass: Int?
        var hidden: [Int]
        var loss: Loss
        var optimizer: OptimizerName
        var learningRate: Float
        var batchSize: Int
        var epochs: Int

        /// What `signet train` does without a preset: all digits, all images, `modern`'s model.
        static let defaults = Settings(digits: nil, perClass: nil, hidden: [32, 64], loss: .categoricalCrossEntropy,
                                       optimizer: .adam, learningRate: 1e-3, batchSize: 32, epochs: 10)
    }
}

/// `--optimizer`.
enum OptimizerName: String, CaseIterable, ExpressibleByArgument {
    case adam, sgd
}

extension Loss: ExpressibleByArgument {}
extension DatasetName: ExpressibleByArgument {}

/// `--activation`: the activations a hidden layer of the dense network may have, the elementwise
/// ones (linear and softmax are refused, and left out of the help).
extension Activation: ExpressibleByArgument {
    public init?(argument: String) {
        guard let activation = Activation(rawValue: argument), activation.elementwise != nil else { return nil }
        self = activation
    }

    public static var allValueStrings: [String] { allCases.filter { $0.elementwise != nil }.map(\.rawValue) }
}
