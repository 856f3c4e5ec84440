import Engine

/// One timed case of a workload: what it is called, how many operations a run does, and how to
/// make a run on a backend.
public struct BenchCase {
    public var workload: BenchWorkload
    public var name: String
    /// Floating-point operations per run, where counting them means something.
    public var flops: Double?
    /// Whether a warm-up run comes first (kernel compilation, first-touch allocation). The
    /// analysis cases skip it: a run takes seconds and compiles nothing the backend's own
    /// warm-up did not.
    public var warmUp: Bool
    /// Timed runs per backend when fewer than the bench's repeats (a case whose run takes
    /// minutes); nil for as many.
    public var samples: Int?
    /// Uploads the case's inputs to `backend` (untimed) and returns one run: everything it
    /// computes, finished on the device before it returns.
    public var prepare: (any Backend) throws -> () throws -> Void
    /// The peer libraries that run the same case (`signet bench --peers`): each makes its side
    /// from the peer environment, or nil where that environment lacks it.
    public var peers: [(PeerEnvironment) throws -> PeerRun?]

    public init(workload: BenchWorkload, name: String, flops: Double? = nil, warmUp: Bool = true, samples: Int? = nil,
                peers: [(PeerEnvironment) throws -> PeerRun?] = [],
                prepare: @escaping (any Backend) throws -> () throws -> Void) {
        self.workload = workload
        self.name = name
        self.flops = flops
        self.warmUp = warmUp
        self.samples = samples
        self.peers = peers
        self.prepare = prepare
    }
}
