import Engine

/// Layers applied in order, built from a `ModelSpec` on one backend.
public final class Sequential {
    public let spec: ModelSpec
    public let layers: [any Layer]
    public let backend: any Backend
    /// Batch inputs and reductions of inference passes, reused from batch to batch.
    let inferenceScratch: ScratchTensors

    /// Builds the model, drawing initial weights from `generator` layer by layer.
    /// - Throws: `LearningError.invalidModel` for duplicate names, empty layers, shapes a layer
    ///   cannot take, or a softmax anywhere but last (the loss differentiates through it).
    public init(spec: ModelSpec, backend: any Backend, generator: inout SeededGenerator) throws {
        guard !spec.inputShape.isEmpty, spec.inputShape.allSatisfy({ $0 > 0 }), checkedElementCount(spec.inputShape) != nil else {
            throw LearningError.invalidModel("input shape \(spec.inputShape) must be non-empty, positive and fit a tensor")
        }
        guard !spec.layers.isEmpty else { throw LearningError.invalidModel("a model needs at least one layer") }
        var seen = Set<String>()
        var shape = spec.inputShape
        var layers: [any Layer] = []
        for (index, layerSpec) in spec.layers.enumerated() {
            guard !layerSpec.name.isEmpty, seen.insert(layerSpec.name).inserted else {
                throw LearningError.invalidModel("layer names must be unique and non-empty: '\(layerSpec.name)'")
            }
            let layer = try LayerFactory.make(layerSpec, inputShape: shape, isLast: index == spec.layers.count - 1,
                                              backend: backend, generator: &generator)
            shape = layer.outputShape
            layers.append(layer)
        }
        Self.fuseConvolutionWithPooling(layers)
        self.spec = spec
        self.layers = layers
        self.backend = backend
        inferenceScratch = ScratchTensors(backend: backend)
    }

    /// A linear or ReLU convolution followed by a max-pool runs as one step each way
    /// (`Backend.conv2dMaxPool`): the pool's input, the largest tensor of a CNN step, is pooled as
    /// it is computed, and its gradient (through the ReLU) is used as it is found, never stored
    /// where the backend has a fused pass.
    private static func fuseConvolutionWithPooling(_ layers: [any Layer]) {
        for (before, after) in zip(layers, layers.dropFirst()) {
            guard let convolution = before as? Conv2DLayer, [.relu, .linear].contains(convolution.activation),
                  let pooling = after as? MaxPool2DLayer else { continue }
            convolution.fusedPooling = pooling
        }
    }

    /// Every trainable parameter, layer by layer.
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    /// Whether the last layer is a softmax, so the loss gradient can be taken from the logits.
    public var endsInSoftmax: Bool {
        switch spec.layers.last {
        case let .dense(_, _, activation, _)?: return activation == .softmax
        case let .activation(_, activation)?: return activation == .softmax
        default: return false
        }
    }

    /// Values per example of the model's input.
    public var inputCount: Int { spec.inputShape.reduce(1, *) }

    /// Values per example of the model's output.
    public var outputCount: Int { layers.last?.outputShape.reduce(1, *) ?? 0 }

    /// The model's output for a batch `[batch] + inputShape`.
    @discardableResult
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try forward(input, training: training) { _, _ in }
    }

    /// The forward pass, handing each layer's output to `visit` as it is computed. In training,
    /// a convolution fused with its max-pool does not store its own output (its backward pass
    /// needs only the pool's winners), so `visit` gets unspecified values for that layer; record
    /// signatures with `training: false`.
    func forward(_ input: Tensor, training: Bool, visit: (any Layer, Tensor) throws -> Void) throws -> Tensor {
        var x = input
        for layer in layers {
            x = try layer.forward(x, training: training)
            try visit(layer, x)
        }
        return x
    }

    /// Back through every layer from the loss gradient, filling every parameter's gradient.
    /// - Parameter fromLogits: the gradient is with respect to the last softmax's logits.
    public func backward(lossGradient: Tensor, fromLogits: Bool) throws {
        var gradient = lossGradient
        var index = layers.count - 1
        while index >= 0 {
            let layer = layers[index]
            // Only layers with something trainable before them need their input gradient.
            func needsInput(_ index: Int) -> Bool { layers[..<index].contains { !$0.parameters.isEmpty } }
            let next: Tensor?
            if index > 0, let convolution = layers[index - 1] as? Conv2DLayer, let pooling = layer as? MaxPool2DLayer,
               convolution.fusedPooling === pooling {
                // The pair goes back in one step, from the pool's output gradient.
                next = try convolution.backwardThroughPooling(gradient, needsInputGradient: needsInput(index - 1))
                index -= 1
            } else if fromLogits && index == layers.count - 1 {
                guard let softmaxLayer = layer as? any SoftmaxOutputLayer, endsInSoftmax else {
                    throw LearningError.invalidModel("a logits gradient needs a model ending in softmax")
                }
                next = try softmaxLayer.backwardFromLogits(gradient, needsInputGradient: needsInput(index))
            } else {
                next = try layer.backward(gradient, needsInputGradient: needsInput(index))
            }
            guard let next else { return }
            gradient = next
            index -= 1
        }
    }

    /// The layer called `name`.
    public func layer(named name: String) throws -> any Layer {
        guard let layer = layers.first(where: { $0.name == name }) else {
            throw LearningError.unknownLayer(name, available: layers.map(\.name))
        }
        return layer
    }

    /// Draws a fresh seed for every layer that uses randomness (dropout), before a training step.
    func reseedStochasticLayers(from generator: inout SeededGenerator) {
        for case let layer as any StochasticLayer in layers {
            layer.seed = generator.next()
        }
    }

    /// `sum over layers of l2 * sum(W^2)`: the regularisation part of the loss (reads weights back).
    public func regularizationLoss() throws -> Double {
        var total = 0.0
        for case let dense as Dense in layers {
            guard let l2 = dense.l2, l2 > 0 else { continue }
            let weights = try backend.read(dense.kernel.value)
            total += Double(l2) * weights.reduce(0.0) { $0 + Double($1) * Double($1) }
        }
        return total
    }
}
