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
        case let .unknownLayer(name, available):
            return "no layer named '\(name)'; the model has \(available.joined(separator: ", "))"
        case let .badCheckpoint(path, reason): return "cannot load checkpoint \(path): \(reason)"
        }
    }
}
