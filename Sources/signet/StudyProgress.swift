import Foundation
import Learning
import Signatures

/// The study's observer for the CLI: a line per run and phase, the training progress, all on
/// standard error (standard output holds the summary or the JSON), and `--save`'s checkpoints.
final class StudyProgress: StudyObserver {
    private let console: any ProgressConsole
    private let saver: CheckpointSaver?
    private let training: TrainingProgress
    private let fault: FaultHook
    /// Phases begun so far, for `fault`.
    private var phases = 0

    /// With `save`, checkpoints of the trained model go there (every `every` epochs and at the
    /// end); `quiet` hides the model summary and the progress bar.
    init(save: String?, every: Int, data: DataChoice, quiet: Bool, fault: FaultHook = FaultHook()) {
        console = ConsoleReporter(json: true)
        saver = save.map { CheckpointSaver(url: URL(fileURLWithPath: $0), every: every, choice: data) }
        training = TrainingProgress(console: console, saver: saver, quiet: quiet, fault: fault)
        self.fault = fault
    }

    /// Progress only, no checkpoints (each experiment of a sweep), on standard error or on one
    /// device's line of a sweep run on several.
    init(quiet: Bool, fault: FaultHook = FaultHook(), console: any ProgressConsole = ConsoleReporter(json: true)) {
        self.console = console
        saver = nil
        training = TrainingProgress(console: console, saver: nil, quiet: quiet, fault: fault)
        self.fault = fault
    }

    func runStarted(_ run: Int, of runs: Int, seed: UInt64) {
        if runs > 1 { console.note("Run \(run)/\(runs): seed \(seed)") }
    }

    func phaseStarted(_ description: String) throws {
        try Interruption.stopIfAsked("before \(description)")
        phases += 1
        fault.phaseStarted(phases)
        console.note(description.prefix(1).uppercased() + description.dropFirst())
    }

    var trainingObserver: (any TrainingObserver)? { training }

    func modelTrained(_ trainer: Trainer, seed: UInt64) throws {
        try saver?.saveFinal(trainer)
    }
}
