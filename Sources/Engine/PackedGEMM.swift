import Kernels
import OpenCL

/// The GEMM for CPU devices (PoCL): op(A) and op(B) packed into contiguous panels, then one
/// work-item per `rows x columns` block of C, held in 16-wide float vectors.
///
/// A CPU work-item is ordinary SIMD code, so this is the BLAS recipe rather than the GPU one:
/// no local memory and no barriers (PoCL emulates both at a high cost), and a k-loop that only
/// streams forward through two panels, because unpacked rows with power-of-two strides thrash
/// the caches. Packing costs O(mk + kn) against the product's O(mnk).
final class PackedGEMM: GEMMKernels {
    /// Below this many values of C the reference kernel runs instead. Such a product is a
    /// handful of dot products, and packing a k-long panel padded to a whole 8 x 32 block costs
    /// more than computing them directly: on PoCL 3.1 (2-core EPYC) 1x1x100000 took 0.10 ms with
    /// the reference kernel and 0.70 ms packed, while at 4x4x10000 packing already won (0.08 ms
    /// against 0.16 ms). Everywhere else packed was as fast or faster, down to 8x8x8, where both
    /// cost one launch (~0.01 ms), so there is no threshold on m * n * k.
    static let referenceBelowOutputs = 16

    let tiles: PackedGEMMTiles
    private let library: KernelLibrary
    private let queue: CommandQueue
    private let reference: ReferenceGEMM
    private let panels: PackedPanels

    /// - Parameter panels: the scratch panels, shared by every blocking the backend runs.
    init(library: KernelLibrary, queue: CommandQueue, tiles: PackedGEMMTiles, panels: PackedPanels) {
        self.library = library
        self.queue = queue
        self.tiles = tiles
        self.panels = panels
        reference = ReferenceGEMM(library: library, queue: queue, options: self.tiles.options)
    }

    func warmUp() throws {
        for name in ["gemm_pack_a", "gemm_pack_b", "gemm_packed"] {
            _ = try library.kernel(name, in: .gemm, options: tiles.options)
        }
    }

    func run(_ p: GEMMProblem) throws {
        if p.m * p.n < PackedGEMM.referenceBelowOutputs {
            try reference.run(p)
            return
        }
        let rowPanels = (p.m + tiles.rows - 1) / tiles.rows
        let columnPanels = (p.n + tiles.columns - 1) / tiles.columns
        let a = try panels.scratch(\.a, count: rowPanels * tiles.rows * p.k, context: library.context)
        let b = try panels.scratch(\.b, count: columnPanels * tiles.columns * p.k, context: library.context)
        // k == 0 leaves nothing to pack: the compute kernel then stores epilogue(beta * C).
        if p.k > 0 {
            try pack("gemm_pack_a", p.a, into: a, length: p.m, k: p.k, ld: p.lda, transposed: p.transposeA,
                     panels: rowPanels)
            try pack("gemm_pack_b", p.b, into: b, length: p.n, k: p.k, ld: p.ldb, transposed: p.transposeB,
                     panels: columnPanels)
        }

        let kernel = try library.kernel("gemm_packed", in: .gemm, options: tiles.options)
        try kernel.setArguments([
            .buffer(a), .buffer(b), .buffer(p.c), .buffer(p.bias ?? p.c),
            .int(p.m), .int(p.n), .int(p.k), .float(p.alpha), .float(p.beta),
            .bool(p.bias != nil), .bool(p.relu),
        ])
        let group = min(tiles.panelsPerGroup, rowPanels)
        try queue.enqueue(kernel, globalSize: [roundUp(rowPanels, group), columnPanels], localSize: [group, 1])
    }

    /// Packs op(A) or op(B) into `panels` zero-padded panels, one work-item per (k, panel).
    private func pack(_ name: String, _ source: Buffer<Float>, into packed: Buffer<Float>, length: Int,
                      k: Int, ld: Int, transposed: Bool, panels: Int) throws {
        let kernel = try library.kernel(name, in: .gemm, options: tiles.options)
        try kernel.setArguments([.buffer(source), .buffer(packed), .int(length), .int(k), .int(ld), .bool(transposed)])
        let group = min(k, 64)
        try queue.enqueue(kernel, globalSize: [roundUp(k, group), panels], localSize: [group, 1])
    }
}

/// The packed variant's scratch panels, grown to the largest problem seen and then reused: no
/// allocation per call, and one pair however many blockings a tuning uses.
final class PackedPanels {
    var a: Buffer<Float>?
    var b: Buffer<Float>?

    /// The panel at `path`, replaced by a larger one when it holds fewer than `count` values.
    func scratch(_ path: ReferenceWritableKeyPath<PackedPanels, Buffer<Float>?>, count: Int,
                 context: Context) throws -> Buffer<Float> {
        if let existing = self[keyPath: path], existing.count >= count { return existing }
        // Releasing the old buffer is safe with work still queued: OpenCL frees it only after
        // the commands using it have finished.
        let grown = try Buffer<Float>(context: context, count: count)
        self[keyPath: path] = grown
        return grown
    }
}
