import Engine

/// One step of a `Sequential` model, with a hand-written forward and backward pass.
///
/// Tensors are batch-first: a layer's input is `[batch] + inputShape`. A layer keeps what its
/// backward pass needs (its input, its output) from the last forward pass, so `backward` must
/// follow the `forward` of the same batch.
public protocol Layer: AnyObject {
    /// The name the study and checkpoints use, unique in the model.
    var name: String { get }
    /// The shape of one example's output (without the batch dimension).
    var outputShape: [Int] { get }
    /// Trainable parameters, in a fixed order (empty for parameter-free layers).
    var parameters: [Parameter] { get }
    /// Computes the output of a batch. `training` turns on what only training does (dropout).
    func forward(_ input: Tensor, training: Bool) throws -> Tensor
    /// Given d(loss)/d(output), fills the parameters' gradients and returns d(loss)/d(input),
    /// or nil when `needsInputGradient` is false (the first layer skips that product).
    func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> Tensor?
}

/// A layer whose output is a softmax, so that a loss can hand it the gradient with respect to
/// the logits directly (fused, as Keras does), skipping the softmax Jacobian.
public protocol SoftmaxOutputLayer: Layer {
    /// Like `backward`, from d(loss)/d(logits).
    func backwardFromLogits(_ logitGradient: Tensor, needsInputGradient: Bool) throws -> Tensor?
}
