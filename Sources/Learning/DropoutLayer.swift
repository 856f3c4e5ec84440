import Engine

/// Inverted dropout: during training each value is zeroed with probability `rate` and the rest
/// scaled by `1 / (1 - rate)`; at inference the layer is the identity.
///
/// The mask comes from a counter-based hash of (seed, index), computed alike on every backend, and
/// the seed is drawn from the trainer's generator before each step (`StochasticLayer`), so a
/// run, a resumed run and the other backend all drop the same values.
public final class DropoutLayer: StochasticLayer {
    public let name: String
    public let rate: Float
    public let outputShape: [Int]
    public var parameters: [Parameter] { [] }
    public var seed: UInt64 = 0

    private let backend: any Backend
    private let scratch: ScratchTensors
    /// The seed of the last training forward pass, whose mask the backward pass applies again
    /// (computed, never stored: `Backend.dropout`); nil after an inference pass.
    private var lastSeed: UInt64?

    public init(name: String, rate: Float, shape: [Int], backend: any Backend) throws {
        guard rate >= 0 && rate < 1 else { throw LearningError.invalidModel("'\(name)': dropout rate must be in [0, 1), got \(rate)") }
        self.name = name
        self.rate = rate
        outputShape = shape
        self.backend = backend
        scratch = ScratchTensors(backend: backend)
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard training, rate > 0 else {
            lastSeed = nil
            return input
        }
        let output = try scratch.tensor("output", input.shape)
        try backend.dropout(input, rate: rate, seed: seed, into: output)
        lastSeed = seed
        return output
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> Tensor? {
        guard needsInputGradient else { return nil }
        guard let lastSeed else { return outputGradient }
        let inputGradient = try scratch.tensor("inputGradient", outputGradient.shape)
        try backend.dropout(outputGradient, rate: rate, seed: lastSeed, into: inputGradient)
        return inputGradient
    }
}

/// A layer that draws randomness each training step; the trainer sets `seed` before every
/// forward pass from its own generator.
public protocol StochasticLayer: Layer {
    var seed: UInt64 { get set }
}
