import Engine

/// Keras `MaxPooling2D` over NHWC input. Its backward pass recomputes which input was each
/// window's maximum, so nothing but the input and output is kept.
public final class MaxPool2DLayer: Layer {
    public let name: String
    public let outputShape: [Int]
    public var parameters: [Parameter] { [] }

    private let geometry: Pool2DGeometry
    private let backend: any Backend
    private let scratch: ScratchTensors
    private var lastInput: Tensor?
    private(set) var lastOutput: Tensor?
    /// The pooling of a convolution that pooled as it ran (`Conv2DLayer.fusedPooling`), and the
    /// convolution output it pools: `forward` of that tensor takes it instead of pooling again.
    private var pooledByConvolution: (input: Tensor, output: Tensor)?

    public init(name: String, inputShape: [Int], pool: [Int], strides: [Int], padding: Padding, backend: any Backend) throws {
        guard inputShape.count == 3 else {
            throw LearningError.invalidModel("'\(name)' needs [height, width, channels] input, got \(inputShape)")
        }
        geometry = Pool2DGeometry(batch: 1, height: inputShape[0], width: inputShape[1], channels: inputShape[2],
                                  poolHeight: pool[0], poolWidth: pool[1], strideY: strides[0], strideX: strides[1],
                                  padding: padding)
        do {
            try geometry.validate()
        } catch {
            throw LearningError.invalidModel("'\(name)': \(error)")
        }
        self.name = name
        self.backend = backend
        scratch = ScratchTensors(backend: backend)
        outputShape = [geometry.outputHeight, geometry.outputWidth, inputShape[2]]
    }

    func geometry(batch: Int) -> Pool2DGeometry { geometry.withBatch(batch) }

    /// The tensor `forward` writes for a batch of `batch` (reused from batch to batch).
    func outputTensor(batch: Int) throws -> Tensor { try scratch.tensor("output", [batch] + outputShape) }

    /// `output` is this layer's pooling of `input`, computed by the convolution before it.
    func accept(pooled output: Tensor, of input: Tensor) { pooledByConvolution = (input, output) }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        if let pooled = pooledByConvolution, pooled.input === input {
            pooledByConvolution = nil
            lastInput = input
            lastOutput = pooled.output
            return pooled.output
        }
        let output = try outputTensor(batch: input.shape[0])
        try backend.maxPool2d(input, into: output, geometry: geometry(batch: input.shape[0]))
        lastInput = input
        lastOutput = output
        return output
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> Tensor? {
        guard let input = lastInput, let output = lastOutput else {
            throw LearningError.invalidModel("'\(name)': backward before forward")
        }
        guard needsInputGradient else { return nil }
        let inputGradient = try scratch.tensor("inputGradient", input.shape)
        try backend.maxPool2dBackward(input: input, output: output, outputGradient: outputGradient, into: inputGradient,
                                      geometry: geometry(batch: input.shape[0]))
        return inputGradient
    }
}
