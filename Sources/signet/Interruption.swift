import Glibc
import Synchronization

/// Ctrl-C (SIGINT) and SIGTERM as requests to stop at the next safe point, for the commands that
/// run long (`train`, `study`, `sweep`): the end of a training step, or the start of a study's
/// phase. There the command throws `Interruption.Stopped`, which `SignetCommand.main` reports in
/// one line before exiting with status 128 + the signal's number, as a shell does. Checkpoints
/// and results already written stay whole (every file is written atomically), and none is left
/// half-written: a stop never falls inside a write. A second signal stops at once.
enum Interruption {
    /// The signal received, 0 until one is.
    static let received = Atomic<Int32>(0)

    /// The stop, at the place it was noticed.
    struct Stopped: Error, CustomStringConvertible {
        let signal: Int32
        let place: String

        var description: String {
            let name = signal == SIGINT ? "Ctrl-C (SIGINT)" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
            return "stopped by \(name) \(place)"
        }

        /// The same stop, its line ending in `advice` (how to continue).
        func adding(_ advice: String) -> Stopped {
            Stopped(signal: signal, place: place + "; " + advice)
        }
    }

    /// Takes SIGINT and SIGTERM from here on. Also unblocks them on this (the main) thread: a
    /// parent may start signet with them blocked (a test runner's thread did), and a blocked
    /// signal stays pending, never handled.
    static func install() {
        _ = received.load(ordering: .relaxed)  // initialized now: the handler must not run its lazy initializer
        signal(SIGINT, noteSignal)
        signal(SIGTERM, noteSignal)
        var both = sigset_t()
        sigemptyset(&both)
        sigaddset(&both, SIGINT)
        sigaddset(&both, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &both, nil)
    }

    /// Throws `Stopped` if a signal came, naming `place` ("in epoch 2, after step 30").
    static func stopIfAsked(_ place: @autoclosure () -> String) throws {
        let signal = received.load(ordering: .relaxed)
        if signal != 0 { throw Stopped(signal: signal, place: place()) }
    }
}

/// The handler: records the signal, says so, and puts back the default for a second one. Only
/// async-signal-safe work: an atomic store, `write(2)` of a static string, `signal(2)`.
private func noteSignal(_ number: Int32) {
    Interruption.received.store(number, ordering: .relaxed)
    let note: StaticString = "\nsignet: stopping at the next safe point (signal again to stop at once)\n"
    _ = Glibc.write(STDERR_FILENO, note.utf8Start, note.utf8CodeUnitCount)
    signal(number, SIG_DFL)
}
