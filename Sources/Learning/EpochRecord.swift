/// What one epoch of training measured, as Keras's `History` records it.
public struct EpochRecord: Codable, Equatable, Sendable {
    /// Counted from 1.
    public var epoch: Int
    /// The mean loss over the epoch's batches, weighted by batch size, regularisation included.
    public var loss: Double
    public var accuracy: Double
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    /// Wall-clock time of the epoch's training steps, in seconds.
    public var seconds: Double

    public init(epoch: Int, loss: Double, accuracy: Double, validationLoss: Double? = nil,
                validationAccuracy: Double? = nil, seconds: Double) {
        self.epoch = epoch
        self.loss = loss
        self.accuracy = accuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.seconds = seconds
    }
}
