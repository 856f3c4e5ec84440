import ArgumentParser
import Foundation
import Engine
import Learning

/// What `--model` names: the dense network, a CNN preset, a layer string or a model file.
enum ModelChoice: Equatable {
    case multilayerPerceptron
    /// A named CNN preset's layer string.
    case preset(String)
    /// A layer string given on the command line or read from a file.
    case layers(String)
    /// A `ModelSpec` JSON file (as stored in a checkpoint's `signet.model`).
    case specification(ModelSpec)

    /// The CNN presets: hidden layers as a layer string (the softmax output is appended).
    static let presets: [String: String] = [
        // The classic small Keras CNN of the course material.
        "cnn": "conv(32,3) pool(2) dropout(0.25) flatten dropout(0.5)",
        // The Keras MNIST convnet example.
        "cnn2": "conv(32,3) pool(2) conv(64,3) pool(2) flatten dropout(0.5)",
        // cnn plus a dense signature layer comparable to the dense network's.
        "cnn-sig": "conv(32,3) pool(2) dropout(0.25) flatten dropout(0.5) dense(64)",
    ]

    /// Parses `--model`; a file is read now, so that a bad file fails before any work.
    init(_ text: String) throws {
        if text == "mlp" {
            self = .multilayerPerceptron
        } else if let preset = Self.presets[text] {
            self = .preset(preset)
        } else if text.contains("(") || ["flatten", "conv", "pool", "dense", "dropout"].contains(where: text.hasPrefix) {
            self = .layers(text)
        } else if FileManager.default.fileExists(atPath: text) {
            guard let data = FileManager.default.contents(atPath: text) else {
                throw ValidationError("cannot read model file \(text)")
            }
            if let spec = try? JSONDecoder().decode(ModelSpec.self, from: data) {
                self = .specification(spec)
            } else {
                // A layer-string file: '#' starts a comment.
                let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
                self = .layers(lines.map { $0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }
                    .joined(separator: " "))
            }
        } else {
            throw ValidationError("unknown --model '\(text)': use mlp, cnn, cnn2, cnn-sig, a layer string such as "
                + "'conv(32,3) pool(2) flatten dense(64)', or a model file")
        }
    }

    var isConvolutional: Bool { self != .multilayerPerceptron }

    /// The training settings this model is trained with unless flags or a preset say otherwise:
    /// the CNNs as Keras's examples train them (batch 128; 12 epochs, 15 for cnn2).
    var defaultSettings: Preset.Settings {
        guard isConvolutional else { return .defaults }
        var settings = Preset.Settings.defaults
        settings.batchSize = 128
        settings.epochs = self == .preset(Self.presets["cnn2"]!) ? 15 : 12
        return settings
    }

    /// The model for MNIST-shaped images and `classes` outputs.
    func spec(hidden: [Int], activation: Activation, l2: Float?, classes: Int) throws -> ModelSpec {
        switch self {
        case .multilayerPerceptron:
            return .multilayerPerceptron(inputs: 28 * 28, hidden: hidden, classes: classes, activation: activation, l2: l2)
        case let .preset(text), let .layers(text):
            return try ModelSpec.parse(text, inputShape: [28, 28, 1], classes: classes)
        case let .specification(spec):
            guard checkedElementCount(spec.inputShape) == 28 * 28 else {
                throw CLIFailure("the model file takes input \(spec.inputShape); MNIST images are 28x28")
            }
            guard case let .dense(_, units, .softmax, _)? = spec.layers.last, units == classes else {
                throw CLIFailure("the model file must end in a softmax dense layer with \(classes) units (one per digit)")
            }
            return spec
        }
    }
}
