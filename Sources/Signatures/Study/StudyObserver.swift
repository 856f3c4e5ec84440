import Learning

/// Follows a study as it runs: the runs and phases as they start, and each model's training.
/// Every requirement has a default that does nothing.
public protocol StudyObserver: AnyObject {
    /// A run (seed) begins: `run` counts from 1.
    func runStarted(_ run: Int, of runs: Int, seed: UInt64)
    /// A phase begins ("training on 200 images, seed 1", "analysis: clustering hidden_1 (200 x 32)" ...).
    /// Throwing stops the study there, a safe point: none of the phase has been done (the CLI
    /// stops so on Ctrl-C or SIGTERM).
    func phaseStarted(_ description: String) throws
    /// Receives the training progress of every model the study trains; nil to ignore it.
    var trainingObserver: (any TrainingObserver)? { get }
    /// A model has been trained, before its analysis (to save a checkpoint, say).
    func modelTrained(_ trainer: Trainer, seed: UInt64) throws
}

extension StudyObserver {
    public func runStarted(_ run: Int, of runs: Int, seed: UInt64) {}
    public func phaseStarted(_ description: String) throws {}
    public var trainingObserver: (any TrainingObserver)? { nil }
    public func modelTrained(_ trainer: Trainer, seed: UInt64) throws {}
}
