import Engine

/// The activations a layer can end with: what a `ModelSpec` (and so a checkpoint) stores.
///
/// The engine computes the elementwise ones as `ActivationFunction`s; `elementwise` is the one
/// place that says which, so layers never spell the correspondence out again.
public enum Activation: String, Codable, Sendable, CaseIterable {
    case linear, relu, tanh, sigmoid, softmax

    /// The engine's elementwise function for this activation; nil for linear (nothing to do)
    /// and softmax (a row operation, with its own backend calls).
    public var elementwise: ActivationFunction? {
        switch self {
        case .relu: return .relu
        case .tanh: return .tanh
        case .sigmoid: return .sigmoid
        case .linear, .softmax: return nil
        }
    }
}
