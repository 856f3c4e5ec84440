import Learning

/// A study's observer that stops the study once another attempt of its sweep experiment has won
/// (`SweepWorkers.Attempt.check`): at the start of a phase or the end of a training step, the
/// same safe points a Ctrl-C stops at. Everything else goes on to `inner`.
final class SupersedableStudyObserver: StudyObserver {
    let inner: (any StudyObserver)?
    let attempt: SweepWorkers.Attempt
    let trainingObserver: (any TrainingObserver)?

    init(_ inner: (any StudyObserver)?, attempt: SweepWorkers.Attempt) {
        self.inner = inner
        self.attempt = attempt
        trainingObserver = SupersedableTrainingObserver(inner?.trainingObserver, attempt: attempt)
    }

    func runStarted(_ run: Int, of runs: Int, seed: UInt64) {
        inner?.runStarted(run, of: runs, seed: seed)
    }

    func phaseStarted(_ description: String) throws {
        try attempt.check()
        try inner?.phaseStarted(description)
    }

    func modelTrained(_ trainer: Trainer, seed: UInt64) throws {
        try inner?.modelTrained(trainer, seed: seed)
    }
}

/// The training side of `SupersedableStudyObserver`: checks after every step.
final class SupersedableTrainingObserver: TrainingObserver {
    let inner: (any TrainingObserver)?
    let attempt: SweepWorkers.Attempt

    init(_ inner: (any TrainingObserver)?, attempt: SweepWorkers.Attempt) {
        self.inner = inner
        self.attempt = attempt
    }

    func trainingStarted(_ trainer: Trainer) {
        inner?.trainingStarted(trainer)
    }

    func epochStarted(_ epoch: Int, of epochs: Int, batches: Int) {
        inner?.epochStarted(epoch, of: epochs, batches: batches)
    }

    func batchEnded(_ batch: Int, of batches: Int, metrics: () throws -> RunningMetrics) throws {
        try attempt.check()
        try inner?.batchEnded(batch, of: batches, metrics: metrics)
    }

    func epochEnded(_ record: EpochRecord, trainer: Trainer) throws {
        try inner?.epochEnded(record, trainer: trainer)
    }
}
