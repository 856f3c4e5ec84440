import Engine

/// A model layer by layer, as Keras's `model.summary()` shows it: each layer's name, type,
/// output shape, parameter count and activation, with the totals of trainable parameters and of
/// the memory a training batch takes on the device.
///
/// The shapes and counts come from the model's built layers (the layers themselves, not a
/// second reckoning of their geometry); the memory is an estimate from them, stated as
/// such: the weights with their gradients and optimizer slots, plus every layer's output for
/// the batch and its gradient (what a training step keeps), in float32.
public struct ModelSummary: Codable, Equatable, Sendable {
    /// One layer.
    public struct Row: Codable, Equatable, Sendable {
        public var name: String
        /// Keras's class name: `Dense`, `Conv2D`, `MaxPooling2D`, `Activation`, `Dropout`, `Flatten`.
        public var type: String
        /// One example's output, without the batch dimension.
        public var outputShape: [Int]
        public var parameters: Int
        /// The layer's activation (nil for layers without one).
        public var activation: String?
    }

    /// The outline (`784-32-64-10`).
    public var model: String
    /// One example's input shape.
    public var inputShape: [Int]
    public var layers: [Row]
    /// Every trainable value (all of Signet's parameters are trainable).
    public var trainableParameters: Int
    /// The batch size the memory estimate is for.
    public var batch: Int
    /// The optimizer's state tensors per parameter (SGD 1, Adam 2).
    public var optimizerSlots: Int
    /// Bytes of the weights alone (float32).
    public var parameterBytes: Int
    /// Bytes of the weights, their gradients and the optimizer's slots.
    public var parameterStateBytes: Int
    /// Bytes of every layer's output for one batch and its gradient.
    public var activationBytesPerBatch: Int
    /// `parameterStateBytes + activationBytesPerBatch`: the training step's memory, estimated.
    public var trainingBytesPerBatch: Int

    /// The summary of `spec` for training batches of `batch` with `optimizer`.
    /// - Throws: `LearningError.invalidModel` when the model cannot be built.
    public init(spec: ModelSpec, batch: Int, optimizer: OptimizerSpec) throws {
        var generator = SeededGenerator(seed: 0)
        self.init(model: try Sequential(spec: spec, backend: CPUBackend(), generator: &generator),
                  batch: batch, optimizer: optimizer)
    }

    /// The summary of a model already built, on any backend, for training batches of `batch`
    /// with `optimizer`: what a trainer checks before its first step, without building the
    /// model a second time.
    public init(model: Sequential, batch: Int, optimizer: OptimizerSpec) {
        let spec = model.spec
        self.model = spec.outline
        inputShape = spec.inputShape
        layers = zip(spec.layers, model.layers).map { layerSpec, layer in
            Row(name: layer.name, type: Self.kerasType(layerSpec), outputShape: layer.outputShape,
                parameters: layer.parameters.reduce(0) { $0 + $1.value.count }, activation: Self.activation(layerSpec))
        }
        trainableParameters = layers.reduce(0) { $0 + $1.parameters }
        self.batch = batch
        optimizerSlots = optimizer.slots.count
        parameterBytes = Self.product(4, trainableParameters)
        parameterStateBytes = Self.product(parameterBytes, 2 + optimizerSlots)
        let valuesPerExample = layers.reduce(0) { $0 + $1.outputShape.reduce(1, *) }
        // `--batch` may be any positive Int (a batch larger than the data is the whole data).
        activationBytesPerBatch = Self.product(Self.product(8, valuesPerExample), batch)
        let (total, overflow) = parameterStateBytes.addingReportingOverflow(activationBytesPerBatch)
        trainingBytesPerBatch = overflow ? .max : total
    }

    /// `a * b`, or `Int.max` past it.
    public static func product(_ a: Int, _ b: Int) -> Int {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : value
    }

    /// Keras's name for the layer's kind.
    static func kerasType(_ spec: LayerSpec) -> String {
        switch spec {
        case .dense: return "Dense"
        case .conv2d: return "Conv2D"
        case .maxPool2d: return "MaxPooling2D"
        case .activation: return "Activation"
        case .dropout: return "Dropout"
        case .flatten: return "Flatten"
        }
    }

    static func activation(_ spec: LayerSpec) -> String? {
        switch spec {
        case let .dense(_, _, activation, _), let .conv2d(_, _, _, _, _, activation), let .activation(_, activation):
            return activation.rawValue
        case .maxPool2d, .dropout, .flatten:
            return nil
        }
    }

    /// The summary as a table, Keras's columns plus the activation, then the totals; `device`
    /// names where the batch would train.
    public func table(device: String) -> String {
        let header = ["Layer (type)", "Output shape", "Params", "Activation"]
        let rows = layers.map { row in
            ["\(row.name) (\(row.type))", "(None, " + row.outputShape.map(String.init).joined(separator: ", ") + ")",
             MetricText.grouped(row.parameters), row.activation ?? ""]
        }
        let widths = (0..<header.count).map { column in ([header] + rows).map { $0[column].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                // The parameter counts align right, as numbers do.
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 2 ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        let rule = String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))
        var text = ["Model: \(model), input (None, " + inputShape.map(String.init).joined(separator: ", ") + ")", rule, line(header), rule]
        text += rows.map(line)
        text.append(rule)
        text.append("Trainable parameters: \(MetricText.grouped(trainableParameters)) (\(MetricText.bytes(parameterBytes)))")
        text.append("Training memory per batch of \(batch), estimated: \(MetricText.bytes(trainingBytesPerBatch)) on \(device)")
        text.append("  weights, gradients and \(optimizerSlots) optimizer slot\(optimizerSlots == 1 ? "" : "s") \(MetricText.bytes(parameterStateBytes)); "
            + "activations and their gradients \(MetricText.bytes(activationBytesPerBatch))")
        return text.joined(separator: "\n")
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
