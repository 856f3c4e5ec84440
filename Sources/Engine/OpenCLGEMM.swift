import Kernels
import OpenCL

/// One GEMM on device buffers, after the backend has checked the shapes.
struct GEMMProblem {
    var a: Buffer<Float>, b: Buffer<Float>, c: Buffer<Float>, bias: Buffer<Float>?
    var m: Int, n: Int, k: Int
    /// Row strides of A and B as stored (their column counts).
    var lda: Int, ldb: Int
    var transposeA: Bool, transposeB: Bool
    var alpha: Float, beta: Float
    var relu: Bool
}

/// The kernels of one GEMM variant and the scratch memory they need.
protocol GEMMKernels: AnyObject {
    /// Builds the variant's programs now rather than at the first call.
    func warmUp() throws
    /// Enqueues the GEMM; `m` and `n` are positive, `k` may be zero.
    func run(_ problem: GEMMProblem) throws
}

/// Runs GEMMs with one variant's kernels, owning whatever scratch memory the variant needs.
final class OpenCLGEMM {
    let variant: GEMMVariant
    private let kernels: any GEMMKernels

    init(variant: GEMMVariant, library: KernelLibrary, queue: CommandQueue) throws {
        self.variant = variant
        switch variant {
        case .reference: kernels = ReferenceGEMM(library: library, queue: queue)
        case .packed: kernels = PackedGEMM(library: library, queue: queue)
        case .tiled: kernels = TiledGEMM(library: library, queue: queue)
        }
    }

    /// Builds this variant's programs now.
    func warmUp() throws {
        try kernels.warmUp()
    }

    func run(_ p: GEMMProblem) throws {
        guard p.m > 0, p.n > 0 else { return }
        try kernels.run(p)
    }
}

/// `value` rounded up to a multiple of `multiple`.
func roundUp(_ value: Int, _ multiple: Int) -> Int {
    (value + multiple - 1) / multiple * multiple
}
