/// A model as data: what checkpoints store and the CLI builds, so a model can be rebuilt
/// without code.
public struct ModelSpec: Codable, Equatable, Sendable {
    /// The shape of one input example, e.g. `[784]`.
    public var inputShape: [Int]
    public var layers: [LayerSpec]

    public init(inputShape: [Int], layers: [LayerSpec]) {
        self.inputShape = inputShape
        self.layers = layers
    }

    /// The study's dense network: `hidden` ReLU layers named `hidden_1`, `hidden_2` ..., then a
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

    /// The number of outputs of the last layer (classes), if the model ends in a dense layer.
    public var outputUnits: Int? {
        if case let .dense(_, units, _, _)? = layers.last { return units }
        return nil
    }
}

/// One layer of a `ModelSpec`.
public enum LayerSpec: Codable, Equatable, Sendable {
    /// A fully connected layer, `activation(x W + b)`, Glorot-uniform `W` and zero `b` as Keras;
    /// `l2` adds `l2 * sum(W^2)` to the loss.
    case dense(name: String, units: Int, activation: Activation, l2: Float?)
    /// An activation on its own.
    case activation(name: String, Activation)

    public var name: String {
        switch self {
        case let .dense(name, _, _, _): return name
        case let .activation(name, _): return name
        }
    }
}

/// The activations a layer can end with.
public enum Activation: String, Codable, Sendable, CaseIterable {
    case linear, relu, tanh, sigmoid, softmax
}
