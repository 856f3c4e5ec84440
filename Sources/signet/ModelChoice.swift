import ArgumentParser
import Foundation
import Engine
import Learning

/// What `--model` names: the dense network, a CNN preset, a layer string or a model file.
///
/// A path that exists as a file is a model file, whatever its name looks like (`dense64.json`,
/// `conv.txt`, `pool.json`, even `cnn`): only text that names no file is taken as a preset or a
/// layer string. The file is read once, when the flag is parsed.
enum ModelChoice: Equatable, Sendable {
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
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory), !isDirectory.boolValue {
            self = try Self.read(file: text)
        } else if text == "mlp" {
            self = .multilayerPerceptron
        } else if let preset = Self.presets[text] {
            self = .preset(preset)
        } else if text.contains("(") || ["flatten", "conv", "pool", "dense", "dropout"].contains(where: text.hasPrefix) {
            self = .layers(text)
        } else {
            throw ValidationError("unknown --model '\(text)': use mlp, cnn, cnn2, cnn-sig, a layer string such as "
                + "'conv(32,3) pool(2) flatten dense(64)', or a model file")
        }
    }

    /// A model file: a `ModelSpec` as JSON, else a layer string in which `#` starts a comment.
    private static func read(file path: String) throws -> ModelChoice {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read model file \(path)")
        }
        switch ModelFile(contents: data) {
        case let .specification(spec): return .specification(spec)
        case let .layers(text): return .layers(text)
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
