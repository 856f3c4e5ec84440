/// A peer library's side of one case: each `run` does one more run and returns its seconds as
/// the peer's own clock measured them (its start-up, imports and data loading excluded).
public final class PeerRun {
    /// The peer as the tables name it, e.g. `PyTorch 2.5.1` or `scikit-learn 1.9.1`.
    public let name: String
    /// Runs per sample the peer is given (a peer whose one run takes minutes gets fewer).
    public let samples: Int?
    private let runOnce: () throws -> (seconds: Double, process: Int32?)
    private let finish: () -> Void

    /// - Parameters:
    ///   - samples: timed runs for this peer when fewer than the bench's repeats; nil for as many.
    ///   - run: one run: its seconds, and the process to count as the peer's own CPU time (a
    ///     long-lived one; a finished child counts already).
    ///   - stop: ends what the peer keeps running.
    public init(name: String, samples: Int? = nil, run: @escaping () throws -> (seconds: Double, process: Int32?),
                stop: @escaping () -> Void = {}) {
        self.name = name
        self.samples = samples
        runOnce = run
        finish = stop
    }

    public func run() throws -> (seconds: Double, process: Int32?) { try runOnce() }

    public func stop() { finish() }
}
