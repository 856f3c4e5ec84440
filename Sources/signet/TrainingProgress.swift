import Foundation
import Learning

/// The width in columns of the terminal `descriptor` writes to, else `$COLUMNS`; nil when unknown.
func terminalColumns(_ descriptor: Int32) -> Int? {
    var size = winsize()
    if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    return ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
}

/// Where progress lines go: the terminal (`ConsoleReporter`), or one device's line of a sweep
/// run on several (`DeviceLane`).
protocol ProgressConsole: AnyObject {
    /// Whether `overwrite` can redraw a live line (a terminal, not a pipe or a log).
    var isTerminal: Bool { get }
    /// Whether a table of several lines (the model's summary) has room here.
    var holdsTables: Bool { get }
    /// A line (or several) to keep.
    func note(_ line: String)
    /// Replaces the live line (a progress bar).
    func overwrite(_ line: String)
}

/// Where human-readable progress goes: standard output normally, standard error under `--json`
/// (standard output then holds only the JSON); a live bar only when that stream is a terminal,
/// so that a log or a pipe gets whole lines and no control characters. Signet prints no colours.
final class ConsoleReporter: ProgressConsole {
    let json: Bool
    let isTerminal: Bool

    init(json: Bool) {
        self.json = json
        isTerminal = isatty(json ? STDERR_FILENO : STDOUT_FILENO) == 1
    }

    var holdsTables: Bool { true }

    /// Prints `line`, flushed at once: into a pipe or a log standard output is block-buffered,
    /// and a run that is killed (or followed with `tail -f`) would show none of its lines.
    func note(_ line: String) {
        if json { printError(line) } else { print(line); fflush(nil) }
    }

    /// The terminal's width in columns (nil when unknown).
    var columns: Int? { terminalColumns(json ? STDERR_FILENO : STDOUT_FILENO) }

    /// Rewrites the current terminal line, cut to the terminal's width: a longer line would wrap,
    /// and the next rewrite would clear only its last row.
    func overwrite(_ line: String) {
        let fitted = columns.map { String(line.prefix(max($0 - 1, 1))) } ?? line
        let text = "\r\u{1B}[2K" + fitted
        // Written straight to the file descriptor: a partial line must appear now, unbuffered.
        FileHandle(fileDescriptor: json ? STDERR_FILENO : STDOUT_FILENO).write(Data(text.utf8))
    }
}

/// The trainer's observer for the CLI: the model's summary before it first trains, a progress
/// bar per epoch on a terminal, one line per epoch, and checkpoints through the saver.
/// `quiet` (`--quiet`) keeps the epoch lines only, as Keras's `verbose=2`.
final class TrainingProgress: TrainingObserver {
    let console: any ProgressConsole
    let saver: CheckpointSaver?
    let quiet: Bool
    let fault: FaultHook
    /// The trainer, between `trainingStarted` and the end of training: its optimizer counts the
    /// steps the fault hook is told of.
    private weak var trainer: Trainer?
    private var epoch = 0, epochs = 0
    private var started = Date()
    private var lastDrawn = Date.distantPast
    private var summarized: ModelSpec?

    init(console: any ProgressConsole, saver: CheckpointSaver?, quiet: Bool = false, fault: FaultHook = FaultHook()) {
        self.console = console
        self.saver = saver
        self.quiet = quiet
        self.fault = fault
    }

    /// The summary of each new model: a study of several seeds trains the same one again, a
    /// sweep a new one per experiment.
    func trainingStarted(_ trainer: Trainer) {
        self.trainer = trainer
        let model = trainer.model
        guard !quiet, console.holdsTables, summarized != model.spec else { return }
        summarized = model.spec
        let summary = ModelSummary(model: model, batch: trainer.configuration.batchSize,
                                   optimizer: trainer.configuration.optimizer)
        console.note(summary.table(device: model.backend.description))
    }

    func epochStarted(_ epoch: Int, of epochs: Int, batches: Int) {
        self.epoch = epoch
        self.epochs = epochs
        started = Date()
        lastDrawn = .distantPast
    }

    func batchEnded(_ batch: Int, of batches: Int, metrics: () throws -> RunningMetrics) throws {
        if let trainer { fault.stepEnded(trainer.optimizer.stepCount) }
        try Interruption.stopIfAsked("in epoch \(epoch), after step \(trainer?.optimizer.stepCount ?? batch)"
            + (saver.flatMap { $0.savedEpoch >= 0 ? "; \($0.url.path) holds epoch \($0.savedEpoch)" : nil } ?? ""))
        // Reading the metrics waits for the device: only a few times a second, only on a terminal.
        guard !quiet, console.isTerminal, Date().timeIntervalSince(lastDrawn) > 0.2 || batch == batches else { return }
        lastDrawn = Date()
        let running = try metrics()
        let elapsed = Date().timeIntervalSince(started)
        let rate = Double(batch) / max(elapsed, 1e-9)
        let eta = Double(batches - batch) / max(rate, 1e-9)
        let width = 24, filled = width * batch / max(batches, 1)
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        console.overwrite("Epoch \(epoch)/\(epochs) [\(bar)] \(batch)/\(batches)  loss \(MetricText.fixed(running.loss, 4))  "
            + "accuracy \(MetricText.percent(running.accuracy))  \(Int(rate)) batch/s  ETA \(MetricText.fixed(eta, 1)) s")
    }

    func epochEnded(_ record: EpochRecord, trainer: Trainer) throws {
        if console.isTerminal && !quiet { console.overwrite("") }
        var line = "Epoch \(record.epoch)/\(epochs)  loss \(MetricText.fixed(record.loss, 4))  accuracy \(MetricText.percent(record.accuracy))"
        if let loss = record.validationLoss, let accuracy = record.validationAccuracy {
            line += "  val_loss \(MetricText.fixed(loss, 4))  val_accuracy \(MetricText.percent(accuracy))"
        }
        line += "  \(MetricText.fixed(record.seconds, 2)) s"
        console.note(line)
        try saver?.epochEnded(trainer)
    }
}
