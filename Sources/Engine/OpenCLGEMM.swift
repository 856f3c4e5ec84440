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

/// Runs GEMMs with the kernels a tuning chooses per shape, building each choice once.
final class OpenCLGEMM {
    let tuning: KernelTuning
    private let library: KernelLibrary
    private let queue: CommandQueue
    private let panels = PackedPanels()
    private var built: [GEMMChoice: any GEMMKernels] = [:]

    init(tuning: KernelTuning, library: KernelLibrary, queue: CommandQueue) {
        self.tuning = tuning
        self.library = library
        self.queue = queue
    }

    /// The variant of the untuned choice (a tuning may mix variants across shapes).
    var variant: GEMMVariant { tuning.gemm.variant }

    /// Builds the programs of every choice the tuning can make.
    func warmUp() throws {
        for choice in Set([tuning.gemm] + tuning.shapes.map(\.choice)) { try kernels(for: choice).warmUp() }
    }

    func run(_ p: GEMMProblem) throws {
        try run(p, with: tuning.gemmChoice(m: p.m, n: p.n, k: p.k))
    }

    /// Runs `p` with `choice` whatever the tuning says (the tuner times choices this way).
    func run(_ p: GEMMProblem, with choice: GEMMChoice) throws {
        guard p.m > 0, p.n > 0 else { return }
        try kernels(for: choice).run(p)
    }

    /// What runs for `choice`: itself, except for a tiling whose built kernel refuses its
    /// work-group, where `TiledGEMM` falls back to a standard tiling.
    func effective(_ choice: GEMMChoice) throws -> GEMMChoice {
        guard case .tiled = choice, let tiled = kernels(for: choice) as? TiledGEMM else { return choice }
        return .tiled(try tiled.tiles)
    }

    private func kernels(for choice: GEMMChoice) -> any GEMMKernels {
        if let kernels = built[choice] { return kernels }
        let kernels: any GEMMKernels
        switch choice {
        case .reference: kernels = ReferenceGEMM(library: library, queue: queue)
        case let .packed(tiles): kernels = PackedGEMM(library: library, queue: queue, tiles: tiles, panels: panels)
        case let .tiled(tiles): kernels = TiledGEMM(library: library, queue: queue, tiles: tiles)
        }
        built[choice] = kernels
        return kernels
    }
}

/// `value` rounded up to a multiple of `multiple`.
func roundUp(_ value: Int, _ multiple: Int) -> Int {
    (value + multiple - 1) / multiple * multiple
}
