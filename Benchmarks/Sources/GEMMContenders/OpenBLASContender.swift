import COpenBLAS

/// `cblas_sgemm` called directly on host arrays: the baseline every ratio is taken against.
///
/// OpenBLAS's thread count is process-wide, and the engine's CPU backend may change it (fewer
/// threads for small products). So the baseline runs with a count of its own, set before each
/// run of timed multiplies and put back after, untimed.
public final class OpenBLASContender: GEMMContender {
    public let name = "OpenBLAS"
    /// The thread count the baseline runs with.
    public let threads: Int32

    /// The thread count OpenBLAS has now: read it before anything else calls OpenBLAS to get
    /// OpenBLAS's own default (all cores, or `OPENBLAS_NUM_THREADS`).
    public static var currentThreads: Int32 { openblas_get_num_threads() }

    /// - Parameter threads: the thread count to run with; nil takes OpenBLAS's count now.
    public init(threads: Int32? = nil) {
        self.threads = threads ?? Self.currentThreads
    }

    public var detail: String {
        let core = openblas_get_corename().map { String(cString: $0) } ?? "?"
        return "OpenBLAS cblas_sgemm, direct (\(threads) thread\(threads == 1 ? "" : "s"), core \(core))"
    }

    public func prepare(_ problem: SquareGEMM) throws -> any GEMMWorkload {
        OpenBLASWorkload(problem, threads: threads)
    }
}

final class OpenBLASWorkload: GEMMWorkload {
    let n: Int
    let a: UnsafeMutableBufferPointer<Float>
    let b: UnsafeMutableBufferPointer<Float>
    let c: UnsafeMutableBufferPointer<Float>
    let threads: Int32
    /// The count found by `beginTiming`, for `endTiming` to put back.
    var found: Int32 = 0

    init(_ problem: SquareGEMM, threads: Int32) {
        self.threads = threads
        n = problem.n
        a = .allocate(capacity: problem.a.count)
        b = .allocate(capacity: problem.b.count)
        c = .allocate(capacity: n * n)
        _ = a.initialize(from: problem.a)
        _ = b.initialize(from: problem.b)
        c.initialize(repeating: 0)
    }

    deinit {
        a.deallocate()
        b.deallocate()
        c.deallocate()
    }

    func multiply() throws {
        let n = Int32(self.n)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n,
                    1, a.baseAddress, n, b.baseAddress, n, 0, c.baseAddress, n)
    }

    func result() throws -> [Float] { Array(c) }

    func beginTiming() {
        found = openblas_get_num_threads()
        if found != threads { openblas_set_num_threads(threads) }
    }

    func endTiming() {
        if found != threads { openblas_set_num_threads(found) }
    }
}
