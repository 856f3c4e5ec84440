/// How a convolution or pooling window treats the border, as Keras / TensorFlow define it.
public enum Padding: String, Sendable, Codable, CaseIterable {
    /// No padding: windows stay inside the input; `out = (in - k) / stride + 1`.
    case valid
    /// Zero padding so that `out = ceil(in / stride)`; the odd extra pad goes bottom/right.
    case same
}
