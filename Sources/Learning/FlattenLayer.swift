import Engine

/// Keras `Flatten`: `[batch, h, w, c]` seen as `[batch, h * w * c]`, without copying.
public final class FlattenLayer: Layer {
    public let name: String
    public let outputShape: [Int]
    public var parameters: [Parameter] { [] }
    private var lastInputShape: [Int] = []

    public init(name: String, inputShape: [Int]) {
        self.name = name
        outputShape = [inputShape.reduce(1, *)]
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        lastInputShape = input.shape
        return try input.reshaped([input.shape.first ?? 0] + outputShape)
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> Tensor? {
        needsInputGradient ? try outputGradient.reshaped(lastInputShape) : nil
    }
}
