import Kernels
import OpenCL

/// The GEMM for GPUs: tiles of op(A) and op(B) staged through local memory, each work-item
/// computing a small register block of C.
///
/// Transposes are handled where the tiles are loaded, with each load pattern chosen so that
/// neighbouring work-items read neighbouring addresses, and loads are zero-padded past the
/// edges, so one kernel serves every shape and transpose. No GPU was at hand when this was
/// written: the default tile sizes are the textbook ones (CLBlast's defaults are of this shape),
/// checked for correctness on PoCL; `signet tune` searches the alternatives on a device.
final class TiledGEMM: GEMMKernels {
    private let library: KernelLibrary
    private let queue: CommandQueue
    /// The tilings to try, best first.
    private let preferences: [TiledGEMMTiles]
    /// The tiling this device can run, and its kernel; chosen at the first build.
    private var chosen: (tiles: TiledGEMMTiles, kernel: Kernel)?

    /// - Parameter tiles: the tiling wanted; the standard candidates follow it, in case the
    ///   built kernel refuses its work-group.
    init(library: KernelLibrary, queue: CommandQueue, tiles: TiledGEMMTiles? = nil) {
        self.library = library
        self.queue = queue
        preferences = (tiles.map { [$0] } ?? []) + TiledGEMMTiles.candidates.filter { $0 != tiles }
    }

    /// The tiling that runs (building the kernel if need be).
    var tiles: TiledGEMMTiles {
        get throws { try kernel().tiles }
    }

    func warmUp() throws {
        _ = try kernel()
    }

    func run(_ p: GEMMProblem) throws {
        let (tiles, kernel) = try kernel()
        try kernel.setArguments([
            .buffer(p.a), .buffer(p.b), .buffer(p.c), .buffer(p.bias ?? p.c),
            .int(p.m), .int(p.n), .int(p.k), .int(p.lda), .int(p.ldb),
            .bool(p.transposeA), .bool(p.transposeB), .float(p.alpha), .float(p.beta),
            .bool(p.bias != nil), .bool(p.relu),
        ])
        // Row tiles go on NDRange dimension 0 and column tiles on dimension 1, while each
        // work-group keeps its (columns, rows) layout of work-items, which coalesces the stores
        // of C. M is what grows huge (a convolution's im2col GEMM has M = batch * OH * OW, 5.5M
        // for 8192 images of 26 x 26), and GPUs allow far fewer groups in dimension 1 than in 0
        // (NVIDIA: 65535 against 2^31 - 1, so M on dimension 1 would stop near 4.19M rows);
        // N (filters, classes) stays small. Each global size is a whole number of groups.
        let rowGroups = (p.m + tiles.tileRows - 1) / tiles.tileRows
        let columnGroups = (p.n + tiles.tileColumns - 1) / tiles.tileColumns
        try queue.enqueue(kernel, globalSize: [rowGroups * tiles.groupSize[0], columnGroups * tiles.groupSize[1]],
                          localSize: tiles.groupSize)
    }

    /// The first preferred tiling whose work-group and local memory fit the device, and whose
    /// built kernel accepts that work-group (a kernel's limit can be below the device's when it
    /// needs many registers).
    private func kernel() throws -> (tiles: TiledGEMMTiles, kernel: Kernel) {
        if let chosen { return chosen }
        let device = library.context.device
        for tiles in preferences where tiles.fits(device.limits) {
            let kernel = try library.kernel("gemm_tiled", in: .gemm, options: tiles.options)
            if try kernel.maxWorkGroupSize(on: device) >= tiles.threads {
                chosen = (tiles, kernel)
                return (tiles, kernel)
            }
        }
        throw OpenCLError.invalidRequest(
            "gemm_tiled: no tiling fits \(device.name) (work-groups of \(device.maxWorkGroupSize), \(device.localMemoryBytes) bytes of local memory)")
    }
}
