/// Served peer processes shared by the cases of one workload: the first case that asks starts
/// one, the others reuse it, and the runner ends them when the workload is done. For umap-learn,
/// whose start here costs about 50 s of numba compilation, paid once for both of its cases.
public final class PeerProcessPool {
    private var processes: [String: PeerProcess] = [:]

    public init() {}

    /// The process started under `key`, started by `start` if there is none yet.
    public func process(_ key: String, start: () throws -> PeerProcess) throws -> PeerProcess {
        if let running = processes[key] { return running }
        let started = try start()
        processes[key] = started
        return started
    }

    /// Ends every process, and forgets them.
    public func stopAll() {
        for process in processes.values { process.stop() }
        processes = [:]
    }
}
