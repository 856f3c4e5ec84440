/// A peer library's side of one case: each `run` does one more run and returns its seconds as
/// the peer's own clock measured them (its start-up, imports and data loading excluded).
public final class PeerRun {
    /// The peer as the tables name it, e.g. `PyTorch 2.5.1` or `scikit-learn 1.9.1`.
    public let name: String
    /// Timed runs the peer is given when fewer than the bench's repeats (a peer whose one run
    /// takes minutes); nil for as many.
    public let samples: Int?
    /// The long-lived process whose CPU time is the peer's own (a served peer); nil for a peer
    /// run to its end each time, whose CPU time counts once it has ended.
    public let process: Int32?
    private let runOnce: () throws -> Double
    private let finish: () -> Void

    /// - Parameters:
    ///   - run: one run, returning its seconds.
    ///   - stop: ends what the peer keeps running.
    public init(name: String, samples: Int? = nil, process: Int32? = nil, run: @escaping () throws -> Double,
                stop: @escaping () -> Void = {}) {
        self.name = name
        self.samples = samples
        self.process = process
        runOnce = run
        finish = stop
    }

    public func run() throws -> Double { try runOnce() }

    public func stop() { finish() }
}
