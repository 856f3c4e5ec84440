import Engine

/// An activation as a layer of its own (Keras `Activation`), with no parameters.
public final class ActivationLayer: SoftmaxOutputLayer {
    public let name: String
    public let activation: Activation
    public let outputShape: [Int]
    public var parameters: [Parameter] { [] }

    private let backend: any Backend
    private let scratch: ScratchTensors
    private var lastOutput: Tensor?

    public init(name: String, activation: Activation, shape: [Int], backend: any Backend) {
        self.name = name
        self.activation = activation
        self.outputShape = shape
        self.backend = backend
        scratch = ScratchTensors(backend: backend)
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let output = try scratch.tensor("output", input.shape)
        if activation == .softmax {
            try backend.softmax(input, into: output)
        } else if let function = activation.elementwise {
            try backend.activate(function, input, into: output)
        } else {
            try backend.copy(input, to: output)
        }
        lastOutput = output
        return output
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> Tensor? {
        guard let output = lastOutput else { throw LearningError.invalidModel("'\(name)': backward before forward") }
        guard needsInputGradient else { return nil }
        let inputGradient = try scratch.tensor("inputGradient", output.shape)
        if activation == .softmax {
            try backend.softmaxBackward(probabilities: output, probabilityGradient: outputGradient, into: inputGradient)
        } else if let function = activation.elementwise {
            try backend.activationBackward(function, outputGradient: outputGradient, output: output, into: inputGradient)
        } else {
            try backend.copy(outputGradient, to: inputGradient)
        }
        return inputGradient
    }

    /// The logits' gradient is the input's gradient: nothing to do but pass it on.
    public func backwardFromLogits(_ logitGradient: Tensor, needsInputGradient: Bool) throws -> Tensor? {
        needsInputGradient ? logitGradient : nil
    }
}
