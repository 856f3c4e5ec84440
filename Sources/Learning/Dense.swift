import Engine

/// A fully connected layer: `activation(x W + b)`, with `W` stored `[inputs, units]` as Keras
/// stores its kernel.
///
/// The bias and the activation go in the GEMM's epilogue (the backend fuses ReLU into the
/// product and runs tanh or sigmoid as one pass after it); softmax keeps its logits so the loss
/// can differentiate through them.
public final class Dense: SoftmaxOutputLayer {
    public let name: String
    public let inputs: Int
    public let units: Int
    public let activation: Activation
    /// The L2 factor: the loss gains `l2 * sum(W^2)`, the kernel's gradient `2 * l2 * W`.
    public let l2: Float?
    public let kernel: Parameter
    public let bias: Parameter
    public var outputShape: [Int] { [units] }
    public var parameters: [Parameter] { [kernel, bias] }

    private let backend: any Backend
    private let scratch: ScratchTensors
    private var lastInput: Tensor?
    private var lastOutput: Tensor?

    /// A layer with Glorot-uniform weights (limit `sqrt(6 / (inputs + units))`) and zero bias.
    public init(name: String, inputs: Int, units: Int, activation: Activation, l2: Float? = nil,
                backend: any Backend, generator: inout SeededGenerator) throws {
        guard inputs > 0, units > 0 else {
            throw LearningError.invalidModel("dense layer '\(name)' needs inputs and units > 0, got \(inputs) -> \(units)")
        }
        self.name = name
        self.inputs = inputs
        self.units = units
        self.activation = activation
        self.l2 = l2
        self.backend = backend
        scratch = ScratchTensors(backend: backend)
        // The tensors first: a kernel past the device's largest buffer fails now, not after a
        // billion random draws on the host.
        let value = try backend.zeros([inputs, units]), gradient = try backend.zeros([inputs, units])
        let limit = (6 / Float(inputs + units)).squareRoot()
        try backend.write((0..<inputs * units).map { _ in generator.nextFloat(in: -limit..<limit) }, to: value)
        kernel = Parameter(name: "\(name).kernel", value: value, gradient: gradient)
        bias = Parameter(name: "\(name).bias", value: try backend.zeros([units]), gradient: try backend.zeros([units]))
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let batch = input.shape.first ?? 0
        guard input.count == batch * inputs else {
            throw LearningError.dataMismatch("layer '\(name)' expects \(inputs) inputs per example, got \(input.shape)")
        }
        let x = input.shape.count == 2 ? input : try input.reshaped([batch, inputs])
        let output = try scratch.tensor("output", [batch, units])
        if activation == .softmax {
            let logits = try scratch.tensor("logits", [batch, units])
            try backend.gemm(x, kernel.value, into: logits, transposeA: false, transposeB: false, alpha: 1, beta: 0,
                             epilogue: GEMMEpilogue(bias: bias.value))
            try backend.softmax(logits, into: output)
        } else {
            try backend.gemm(x, kernel.value, into: output, transposeA: false, transposeB: false, alpha: 1, beta: 0,
                             epilogue: GEMMEpilogue(bias: bias.value, activation: activation.elementwise))
        }
        lastInput = x
        lastOutput = output
        return output
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> Tensor? {
        guard let output = lastOutput else { throw LearningError.invalidModel("'\(name)': backward before forward") }
        var preActivation = outputGradient
        if activation == .softmax {
            preActivation = try scratch.tensor("preActivationGradient", output.shape)
            try backend.softmaxBackward(probabilities: output, probabilityGradient: outputGradient, into: preActivation)
        } else if let function = activation.elementwise {
            preActivation = try scratch.tensor("preActivationGradient", output.shape)
            try backend.activationBackward(function, outputGradient: outputGradient, output: output, into: preActivation)
        }
        return try backwardFromLogits(preActivation, needsInputGradient: needsInputGradient)
    }

    /// From d(loss)/d(x W + b): the kernel and bias gradients, and the input gradient if asked.
    public func backwardFromLogits(_ logitGradient: Tensor, needsInputGradient: Bool) throws -> Tensor? {
        guard let input = lastInput else { throw LearningError.invalidModel("'\(name)': backward before forward") }
        try backend.gemm(input, logitGradient, into: kernel.gradient, transposeA: true, transposeB: false,
                         alpha: 1, beta: 0, epilogue: .none)
        if let l2, l2 > 0 {
            try backend.axpby(alpha: 2 * l2, kernel.value, beta: 1, kernel.gradient)
        }
        try backend.columnSums(logitGradient, into: bias.gradient, beta: 0)
        guard needsInputGradient else { return nil }
        let inputGradient = try scratch.tensor("inputGradient", input.shape)
        try backend.gemm(logitGradient, kernel.value, into: inputGradient, transposeA: false, transposeB: true,
                         alpha: 1, beta: 0, epilogue: .none)
        return inputGradient
    }
}
