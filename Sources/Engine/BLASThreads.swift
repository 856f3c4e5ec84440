import CBLAS
import Foundation
import Synchronization

/// How many threads OpenBLAS may use for one GEMM.
///
/// OpenBLAS wakes its whole pool for every call, which costs more than it saves on the small
/// products of mini-batch training: a 784-32-64-10 epoch at batch 32 took 1.34 s with two
/// threads and 0.41 s with one on this 2-core machine. So products below `threshold`
/// multiply-adds run on one thread, larger ones on all of them. 2^21 (a 128^3 product) keeps
/// every batch-32 product on one thread and gives square N >= 128 all of them (an 8M threshold
/// left N = 128 at 0.62x OpenBLAS called directly). A product with a side under `minimumSide`
/// stays on one thread whatever its size: the cnn model's 128 x 5408 x 10 output-layer products
/// split across threads made its epoch 3.35-4.1 s instead of 3.0-3.2 s.
enum BLASThreads {
    /// Below this many multiply-adds a GEMM runs single-threaded (`SIGNET_BLAS_THREADING_THRESHOLD`
    /// overrides it, for measuring).
    static let threshold: Int = {
        if let text = ProcessInfo.processInfo.environment["SIGNET_BLAS_THREADING_THRESHOLD"], let value = Int(text) {
            return value
        }
        return 1 << 21
    }()

    /// The shortest side a product may have to be split across threads.
    static let minimumSide = 32

    /// The pool size OpenBLAS had at start (it honours `OPENBLAS_NUM_THREADS`). It must be read
    /// before `choose` first changes the count, or it would read back our own 1.
    static let available = max(1, Int(openblas_get_num_threads()))

    private static let current = Atomic<Int>(0)

    /// Sets OpenBLAS's thread count for an `m x k` by `k x n` product, calling into OpenBLAS only
    /// when the count changes.
    static func choose(m: Int, n: Int, k: Int) {
        // `available` is initialised here, on the first call, before any change below; a
        // reservation (`CPUThreads.reserve`) leaves OpenBLAS fewer.
        let all = max(1, min(available, CPUThreads.count))
        let wanted = m * n * k < threshold || min(m, n, k) < minimumSide ? 1 : all
        if current.exchange(wanted, ordering: .relaxed) != wanted {
            openblas_set_num_threads(Int32(wanted))
        }
    }
}
