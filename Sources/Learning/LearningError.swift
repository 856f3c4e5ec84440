/// Why building, training, saving or loading a model failed.
public enum LearningError: Error, Equatable, CustomStringConvertible {
    /// A model description that cannot be built (unknown layer, zero units, misplaced softmax ...).
    case invalidModel(String)
    /// Training settings out of their domain (batch 0, learning rate < 0, patience without validation ...).
    case invalidConfiguration(String)
    /// Data that does not fit the model (wrong feature count, wrong number of classes, no examples).
    case dataMismatch(String)
    /// The loss became NaN or infinite.
    case nonFiniteLoss(epoch: Int, batch: Int?)
    /// The cross-entropy of an epoch pinned at its clip bound: the network predicts its wrong
    /// classes with probability 1 (`Trainer.isPinnedAtClipBound`). `step` is the epoch's last.
    case pinnedLoss(epoch: Int, step: Int, loss: Double, accuracy: Double)
    /// A weight that is NaN or infinite, found before it was written to `path`.
    case nonFiniteWeight(parameter: String, path: String)
    /// A layer name that the model does not have.
    case unknownLayer(String, available: [String])
    /// A checkpoint file that cannot be read or does not match the model.
    case badCheckpoint(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidModel(reason): return "invalid model: \(reason)"
        case let .invalidConfiguration(reason): return "invalid training settings: \(reason)"
        case let .dataMismatch(reason): return "data does not fit the model: \(reason)"
        case let .nonFiniteLoss(epoch, batch):
            let place = batch.map { "epoch \(epoch), batch \($0)" } ?? "epoch \(epoch)"
            return "training stopped: the loss became NaN or infinite in \(place); try a lower learning rate"
        case let .pinnedLoss(epoch, step, loss, accuracy):
            return "training stopped: it diverged by epoch \(epoch), step \(step) (cross-entropy \(MetricText.fixed(loss, 2)) "
                + "at accuracy \(MetricText.fixed(100 * accuracy, 1))%: every wrong image predicted with probability 1); "
                + "try a lower learning rate"
        case let .nonFiniteWeight(parameter, path):
            return "not writing \(path): weight \(parameter) is NaN or infinite (training diverged); try a lower learning rate"
        case let .unknownLayer(name, available):
            return "no layer named '\(name)'; the model has \(available.joined(separator: ", "))"
        case let .badCheckpoint(path, reason): return "cannot load checkpoint \(path): \(reason)"
        }
    }
}
