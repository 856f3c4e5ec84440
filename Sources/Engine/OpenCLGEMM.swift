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

/// Runs GEMMs with one variant's kernels, owning whatever scratch memory the variant needs.
final class OpenCLGEMM {
    let variant: GEMMVariant
    private let library: KernelLibrary
    private let queue: CommandQueue

    init(variant: GEMMVariant, library: KernelLibrary, queue: CommandQueue) throws {
        self.variant = variant
        self.library = library
        self.queue = queue
    }

    /// Builds this variant's program now.
    func warmUp() throws {
        _ = try library.program(.gemm)
    }

    func run(_ p: GEMMProblem) throws {
        guard p.m > 0, p.n > 0 else { return }
        try runReference(p)
    }

    private func runReference(_ p: GEMMProblem) throws {
        let kernel = try library.kernel("gemm_reference", in: .gemm)
        try kernel.setArguments([
            .buffer(p.a), .buffer(p.b), .buffer(p.c), .buffer(p.bias ?? p.c),
            .int(p.m), .int(p.n), .int(p.k), .int(p.lda), .int(p.ldb),
            .bool(p.transposeA), .bool(p.transposeB), .float(p.alpha), .float(p.beta),
            .bool(p.bias != nil), .bool(p.relu),
        ])
        let tile = 8
        try queue.enqueue(kernel, globalSize: [roundUp(p.n, tile), roundUp(p.m, tile)], localSize: [tile, tile])
    }
}

/// `value` rounded up to a multiple of `multiple`.
func roundUp(_ value: Int, _ multiple: Int) -> Int {
    (value + multiple - 1) / multiple * multiple
}
