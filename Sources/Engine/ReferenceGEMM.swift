import Kernels
import OpenCL

/// `gemm_reference`: one work-item per value of C, correct for every shape.
///
/// It is the baseline the fast variants are tested against, and the packed variant's choice for
/// products too small to pay for packing. `options` names the program it comes from, so a
/// variant that falls back to it reuses its own build instead of compiling `gemm.cl` again.
final class ReferenceGEMM: GEMMKernels {
    private let library: KernelLibrary
    private let queue: CommandQueue
    private let options: String

    init(library: KernelLibrary, queue: CommandQueue, options: String = "") {
        self.library = library
        self.queue = queue
        self.options = options
    }

    func warmUp() throws {
        _ = try library.kernel("gemm_reference", in: .gemm, options: options)
    }

    func run(_ p: GEMMProblem) throws {
        let kernel = try library.kernel("gemm_reference", in: .gemm, options: options)
        try kernel.setArguments([
            .buffer(p.a), .buffer(p.b), .buffer(p.c), .buffer(p.bias ?? p.c),
            .int(p.m), .int(p.n), .int(p.k), .int(p.lda), .int(p.ldb),
            .bool(p.transposeA), .bool(p.transposeB), .float(p.alpha), .float(p.beta),
            .bool(p.bias != nil), .bool(p.relu),
        ])
        let tile = 8
        try queue.enqueue(kernel, globalSize: [roundUp(p.m, tile), roundUp(p.n, tile)], localSize: [tile, tile])
    }
}
