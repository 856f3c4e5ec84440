/// The running totals of the epoch in progress.
public struct RunningMetrics: Sendable {
    public var examples: Int
    public var loss: Double
    public var accuracy: Double
}

/// Receives training progress. Reading `RunningMetrics` waits for the device, so an observer
/// calls `metrics()` only when it will show them (a progress bar a few times a second), never
/// every batch.
public protocol TrainingObserver: AnyObject {
    /// `fit` is about to train `trainer` (its model, batch size and optimizer are set).
    func trainingStarted(_ trainer: Trainer)
    func epochStarted(_ epoch: Int, of epochs: Int, batches: Int)
    func batchEnded(_ batch: Int, of batches: Int, metrics: () throws -> RunningMetrics) throws
    /// Called after validation; a checkpoint taken here resumes at the next epoch.
    func epochEnded(_ record: EpochRecord, trainer: Trainer) throws
}

extension TrainingObserver {
    public func trainingStarted(_ trainer: Trainer) {}
    public func epochStarted(_ epoch: Int, of epochs: Int, batches: Int) {}
    public func batchEnded(_ batch: Int, of batches: Int, metrics: () throws -> RunningMetrics) throws {}
    public func epochEnded(_ record: EpochRecord, trainer: Trainer) throws {}
}
