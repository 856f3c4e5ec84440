import Engine

/// A trainable tensor and the gradient the last backward pass left for it.
public final class Parameter {
    /// `layer.kind`, e.g. `hidden_1.kernel`: the name it has in checkpoints.
    public let name: String
    public let value: Tensor
    public let gradient: Tensor

    init(name: String, value: Tensor, gradient: Tensor) {
        self.name = name
        self.value = value
        self.gradient = gradient
    }
}
