import Engine

/// Keras `Conv2D` over NHWC input: kernel `[kh, kw, in, filters]` (Glorot-uniform with Keras's
/// fan-in `kh*kw*in` and fan-out `kh*kw*filters`), zero bias, bias and activation in the
/// convolution's GEMM epilogue.
public final class Conv2DLayer: Layer {
    public let name: String
    public let activation: Activation
    public let kernel: Parameter
    public let bias: Parameter
    public let outputShape: [Int]
    public var parameters: [Parameter] { [kernel, bias] }

    /// Set by `Sequential` when a max-pool follows a linear or ReLU convolution: the forward pass
    /// then pools too (`Backend.conv2dMaxPool`), handing the pooled output to that layer, and
    /// `backwardThroughPooling` takes the pooled gradient back through both layers at once.
    var fusedPooling: MaxPool2DLayer?

    /// The geometry for one example; the batch is set per call.
    private let geometry: Conv2DGeometry
    private let backend: any Backend
    private let scratch: ScratchTensors
    private var lastInput: Tensor?
    private var lastOutput: Tensor?
    /// Where the last fused forward pass recorded each pooling window's winner instead of
    /// storing `lastOutput` (a training step: nothing but the backward pass reads it); nil when
    /// `lastOutput` holds the convolution.
    private var lastWinners: Tensor?

    public init(name: String, inputShape: [Int], filters: Int, kernel kernelSize: [Int], strides: [Int], padding: Padding,
                activation: Activation, backend: any Backend, generator: inout SeededGenerator) throws {
        guard inputShape.count == 3 else {
            throw LearningError.invalidModel("'\(name)' needs [height, width, channels] input, got \(inputShape); put it before any flatten or dense layer")
        }
        guard activation != .softmax else { throw LearningError.invalidModel("'\(name)': softmax is for the output layer") }
        geometry = Conv2DGeometry(batch: 1, height: inputShape[0], width: inputShape[1], channels: inputShape[2],
                                  filters: filters, kernelHeight: kernelSize[0], kernelWidth: kernelSize[1],
                                  strideY: strides[0], strideX: strides[1], padding: padding)
        do {
            try geometry.validate()
        } catch {
            throw LearningError.invalidModel("'\(name)': \(error)")
        }
        self.name = name
        self.activation = activation
        self.backend = backend
        scratch = ScratchTensors(backend: backend)
        outputShape = [geometry.outputHeight, geometry.outputWidth, filters]
        let receptive = kernelSize[0] * kernelSize[1]
        let limit = (6 / Float(receptive * inputShape[2] + receptive * filters)).squareRoot()
        let shape = [kernelSize[0], kernelSize[1], inputShape[2], filters]
        // The tensors first, as `Dense` makes them: a kernel too large fails before its draws.
        let value = try backend.zeros(shape), gradient = try backend.zeros(shape)
        try backend.write((0..<shape.reduce(1, *)).map { _ in generator.nextFloat(in: -limit..<limit) }, to: value)
        kernel = Parameter(name: "\(name).kernel", value: value, gradient: gradient)
        bias = Parameter(name: "\(name).bias", value: try backend.zeros([filters]), gradient: try backend.zeros([filters]))
    }

    private func geometry(batch: Int) -> Conv2DGeometry { geometry.withBatch(batch) }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let batch = input.shape.first ?? 0
        let output = try scratch.tensor("output", [batch] + outputShape)
        let epilogue = GEMMEpilogue(bias: bias.value, activation: activation.elementwise)
        lastWinners = nil
        if let pooling = fusedPooling {
            let pooled = try pooling.outputTensor(batch: batch)
            // Outside training the convolution is kept: a signature pass may record this layer.
            let winners = training ? try scratch.tensor("winners", pooled.shape, elementType: .int32) : nil
            let recorded = try backend.conv2dMaxPool(input, kernel: kernel.value, epilogue: epilogue, convolved: output,
                                                     pooled: pooled, winners: winners, convolution: geometry(batch: batch),
                                                     pooling: pooling.geometry(batch: batch))
            lastWinners = recorded ? winners : nil
            pooling.accept(pooled: pooled, of: output)
        } else {
            try backend.conv2d(input, kernel: kernel.value, into: output, geometry: geometry(batch: batch), epilogue: epilogue)
        }
        lastInput = input
        lastOutput = output
        return output
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> Tensor? {
        guard let input = lastInput, let output = lastOutput else {
            throw LearningError.invalidModel("'\(name)': backward before forward")
        }
        let batch = input.shape[0]
        var preActivation = outputGradient
        if let function = activation.elementwise {
            preActivation = try scratch.tensor("preActivationGradient", output.shape)
            try backend.activationBackward(function, outputGradient: outputGradient, output: output, into: preActivation)
        }
        let inputGradient = needsInputGradient ? try scratch.tensor("inputGradient", input.shape) : nil
        try backend.conv2dBackward(input: input, kernel: kernel.value, outputGradient: preActivation,
                                   geometry: geometry(batch: batch), kernelGradient: kernel.gradient, inputGradient: inputGradient)
        try backend.columnSums(try preActivation.reshaped([preActivation.count / outputShape[2], outputShape[2]]),
                               into: bias.gradient, beta: 0)
        return inputGradient
    }

    /// Back through this layer and the max-pool it feeds (`fusedPooling`), from the pool's
    /// output gradient: the kernel and bias gradients, and the input gradient if asked for.
    func backwardThroughPooling(_ pooledGradient: Tensor, needsInputGradient: Bool) throws -> Tensor? {
        guard let pooling = fusedPooling, let input = lastInput, let output = lastOutput, let pooled = pooling.lastOutput else {
            throw LearningError.invalidModel("'\(name)': backward before forward")
        }
        let batch = input.shape[0]
        let inputGradient = needsInputGradient ? try scratch.tensor("inputGradient", input.shape) : nil
        try backend.conv2dMaxPoolBackward(
            input: input, kernel: kernel.value, convolved: output, pooled: pooled, winners: lastWinners,
            pooledGradient: pooledGradient, convolution: geometry(batch: batch), pooling: pooling.geometry(batch: batch),
            throughReLU: activation == .relu, kernelGradient: kernel.gradient, biasGradient: bias.gradient,
            inputGradient: inputGradient, convolvedGradient: try scratch.tensor("preActivationGradient", output.shape))
        return inputGradient
    }
}
