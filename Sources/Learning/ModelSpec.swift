import Engine

/// A model as data: what checkpoints store and the CLI builds, so a model can be rebuilt
/// without code.
public struct ModelSpec: Codable, Equatable, Sendable {
    /// The shape of one input example, e.g. `[784]` or `[28, 28, 1]` (height, width, channels).
    public var inputShape: [Int]
    public var layers: [LayerSpec]

    public init(inputShape: [Int], layers: [LayerSpec]) {
        self.inputShape = inputShape
        self.layers = layers
    }

    /// The study's dense network: `hidden` layers named `hidden_1`, `hidden_2` ..., then a
    /// softmax layer `output` with one unit per class.
    public static func multilayerPerceptron(inputs: Int, hidden: [Int], classes: Int,
                                            activation: Activation = .relu, l2: Float? = nil) -> ModelSpec {
        var layers = hidden.enumerated().map { index, units in
            LayerSpec.dense(name: "hidden_\(index + 1)", units: units, activation: activation, l2: l2)
        }
        layers.append(.dense(name: "output", units: classes, activation: .softmax, l2: l2))
        return ModelSpec(inputShape: [inputs], layers: layers)
    }

    /// Names of all layers, in order.
    public var layerNames: [String] { layers.map(\.name) }

    /// The model in one word, as papers write it: `784-32-16-2`, `784-conv32-pool-64-2` (the
    /// input size, then each dense layer's units, `convN` per convolution and `pool`).
    public var outline: String {
        let parts = layers.compactMap { layer -> String? in
            switch layer {
            case let .dense(_, units, _, _): return String(units)
            case let .conv2d(_, filters, _, _, _, _): return "conv\(filters)"
            case .maxPool2d: return "pool"
            case .activation, .dropout, .flatten: return nil
            }
        }
        // Saturating: a shape read from a file may multiply past Int (the model then cannot be
        // built, but it can still be named).
        return ([String(inputShape.reduce(1, ModelSummary.product))] + parts).joined(separator: "-")
    }
}

/// One layer of a `ModelSpec`.
public enum LayerSpec: Codable, Equatable, Sendable {
    /// A fully connected layer, `activation(x W + b)`, Glorot-uniform `W` and zero `b` as Keras;
    /// `l2` adds `l2 * sum(W^2)` to the loss.
    case dense(name: String, units: Int, activation: Activation, l2: Float?)
    /// An activation on its own.
    case activation(name: String, Activation)
    /// A 2-D convolution over NHWC input, Keras `Conv2D`: kernel `[kh, kw, in, filters]`.
    case conv2d(name: String, filters: Int, kernel: [Int], strides: [Int], padding: Padding, activation: Activation)
    /// Keras `MaxPooling2D`; strides default to the pool size.
    case maxPool2d(name: String, pool: [Int], strides: [Int], padding: Padding)
    /// Inverted dropout at `rate` during training, the identity at inference.
    case dropout(name: String, rate: Float)
    /// Reshapes `[h, w, c]` to `[h * w * c]` (no copy).
    case flatten(name: String)

    public var name: String {
        switch self {
        case let .dense(name, _, _, _), let .activation(name, _), let .conv2d(name, _, _, _, _, _),
             let .maxPool2d(name, _, _, _), let .dropout(name, _), let .flatten(name):
            return name
        }
    }
}
