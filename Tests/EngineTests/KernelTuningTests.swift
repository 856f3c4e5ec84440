import Foundation
import OpenCL
import Testing

@testable import Engine

/// `signet tune`'s parts: the search space, the choice per shape, the store, the tuner, and
/// the non-default kernel parameters it may choose, which must compute what OpenBLAS does.
@MainActor
@Suite("Kernel tuning", .enabled(if: SharedBackends.deviceCount > 0, "no OpenCL device: install pocl-opencl-icd"))
struct KernelTuningTests {
    /// Parameters a tuning may pick that the defaults never run: the grid's corners, a 48-wide
    /// block, one panel per group, small and tall tiles, padding, vector loads (whole vectors and,
    /// on shapes that fit no tile, guarded ones at the edges).
    nonisolated static let choices: [GEMMChoice] = [
        .packed(PackedGEMMTiles(rows: 4, vectors: 4, panelsPerGroup: 1)),
        .packed(PackedGEMMTiles(rows: 6, vectors: 3, panelsPerGroup: 16)),
        .packed(PackedGEMMTiles(rows: 16, vectors: 1, panelsPerGroup: 2)),
        .packed(PackedGEMMTiles(rows: 12, vectors: 2, panelsPerGroup: 4)),
        .tiled(TiledGEMMTiles(tileRows: 32, tileColumns: 128, depth: 8, itemRows: 2, itemColumns: 8)),
        .tiled(TiledGEMMTiles(tileRows: 128, tileColumns: 16, depth: 32, itemRows: 8, itemColumns: 2)),
        .tiled(TiledGEMMTiles(tileRows: 64, tileColumns: 64, depth: 16, itemRows: 4, itemColumns: 4, padding: 1)),
        .tiled(TiledGEMMTiles(tileRows: 64, tileColumns: 64, depth: 16, itemRows: 4, itemColumns: 4, padding: 1, vectorWidth: 4)),
        .tiled(TiledGEMMTiles(tileRows: 128, tileColumns: 32, depth: 16, itemRows: 8, itemColumns: 4, vectorWidth: 4)),
    ]

    @Test("non-default parameters match OpenBLAS", arguments: choices)
    func nonDefaultChoicesMatchCPU(choice: GEMMChoice) throws {
        let device = try TestBackends.openCLDevice()
        var tuning = KernelTuning.defaults(for: device)
        tuning.gemm = choice
        let backend = try OpenCLBackend(device: device, tuning: tuning)
        for problem in [GEMMCase(37, 53, 19), GEMMCase(129, 70, 300, transposeA: true, bias: true, activation: .relu),
                        GEMMCase(5, 200, 33, transposeB: true, alpha: 0.5, beta: 2), GEMMCase(1000, 7, 1, transposeA: true, transposeB: true)] {
            try checkParity(problem, on: backend)
        }
    }

    @Test("every point of the space is a valid choice, and the bounded search starts at the default")
    func spaceIsValid() throws {
        let device = try TestBackends.openCLDevice()
        let space = GEMMSearchSpace.forDevice(device)
        let defaults = KernelTuning.defaults(for: device)
        #expect(space.choice(at: space.start) == defaults.gemm)
        #expect(space.points.count + 1 == space.size)
        #expect(space.points.count > 10)
        #expect(space.alternative.variant != defaults.gemm.variant)
        for point in space.points {
            switch space.choice(at: point) {
            case let .tiled(tiles)?: #expect(tiles.fits(device.limits))
            case let .packed(tiles)?: #expect(tiles.rows * tiles.vectors <= 24)
            default: Issue.record("\(point) gave no packed or tiled choice")
            }
        }
        // A GPU's space: the tiled grid within a 256-item, 48 KiB limit.
        let gpu = GEMMSearchSpace.tiled(DeviceLimits(maxWorkGroupSize: 256, localMemoryBytes: 48 << 10))
        #expect(gpu.points.count > 20)
        for point in gpu.points {
            guard case let .tiled(tiles)? = gpu.choice(at: point) else { Issue.record("not tiled"); continue }
            #expect(tiles.threads <= 256 && tiles.threads >= 32 && tiles.localBytes <= 48 << 10)
        }
    }

    @Test("a problem takes the choice of the tuned shape nearest in log scale")
    func nearestShape() {
        let small = GEMMChoice.packed(PackedGEMMTiles(rows: 4, vectors: 1, panelsPerGroup: 1))
        let large = GEMMChoice.packed(PackedGEMMTiles(rows: 12, vectors: 2, panelsPerGroup: 16))
        let skinny = GEMMChoice.reference
        let tuning = KernelTuning(origin: .tuned(date: "now", search: "test"), gemm: .packed(.standard), shapes: [
            .init(m: 256, n: 256, k: 256, choice: small, gflops: 1),
            .init(m: 2048, n: 2048, k: 2048, choice: large, gflops: 1),
            .init(m: 86528, n: 32, k: 9, choice: skinny, gflops: 1),
        ], pixelGroupWidth: 16)
        #expect(tuning.gemmChoice(m: 300, n: 200, k: 250) == small)
        #expect(tuning.gemmChoice(m: 1500, n: 3000, k: 1800) == large)
        #expect(tuning.gemmChoice(m: 100_000, n: 64, k: 9) == skinny)
        #expect(KernelTuning(origin: .defaults(deviceType: "cpu"), gemm: large, pixelGroupWidth: 16)
            .gemmChoice(m: 1, n: 1, k: 1) == large)
    }

    @Test("the store keeps a tuning per device and driver, and SIGNET_TUNING=defaults ignores it")
    func store() throws {
        let device = try TestBackends.openCLDevice()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("signet-tuning-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["SIGNET_CACHE_DIR": folder.path]
        let store = TuningStore.standard(environment: environment)
        #expect(store.directory.path == folder.appendingPathComponent("tuning").path)
        #expect(try store.tuning(for: device) == nil)
        #expect(try TuningStore.tuningInUse(for: device, environment: environment) == .defaults(for: device))

        var tuned = KernelTuning.defaults(for: device)
        tuned.origin = .tuned(date: "2026-12-03", search: "test")
        tuned.shapes = [.init(m: 64, n: 64, k: 64, choice: Self.choices[1], gflops: 12.5)]
        tuned.pixelGroupWidth = 64
        try store.save(tuned, for: device)
        #expect(try store.tuning(for: device) == tuned)
        #expect(try TuningStore.tuningInUse(for: device, environment: environment) == tuned)
        var pinned = environment
        pinned["SIGNET_TUNING"] = "defaults"
        #expect(try TuningStore.tuningInUse(for: device, environment: pinned) == .defaults(for: device))
        let backend = try OpenCLBackend(device: device, tuning: try TuningStore.tuningInUse(for: device, environment: environment))
        #expect(backend.tuning == tuned && backend.pixelGroupWidth == 64)
        #expect(backend.description.contains("GEMM tuned (packed)"))

        // A file written under another driver is not this driver's tuning.
        let file = store.url(for: device)
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "\"\(device.driverVersion)\"", with: "\"another driver\"")
            .write(to: file, atomically: true, encoding: .utf8)
        #expect(try store.tuning(for: device) == nil)

        // A damaged file is an error that names it, not a silent fallback.
        try "{ not json".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: EngineError.self) { try store.tuning(for: device) }
        #expect(try store.remove(for: device))
        #expect(try !store.remove(for: device))
    }

    @Test("a bounded search times part of the space and picks a correct, measured choice")
    func boundedSearch() throws {
        let backend = try TestBackends.openCL()
        let tuner = KernelTuner(backend: backend)
        tuner.samples = 1
        tuner.sampleSeconds = 0.001
        let shape = KernelTuner.Shape(name: "test", m: 70, n: 40, k: 33)
        let result = try tuner.tune(shape, search: .bounded)
        #expect(result.rejected.isEmpty)
        #expect(result.timed > 3 && result.timed < tuner.space.size)
        #expect(result.best.gflops > 0 && result.best.seconds.isFinite)
        #expect(tuner.space.points.contains { tuner.space.choice(at: $0) == result.best.choice }
            || result.best.choice == tuner.space.alternative)
        let widths = try tuner.tunePixelWidth()
        #expect(widths.map(\.width).sorted() == tuner.pixelWidths)
        #expect(backend.pixelGroupWidth == KernelTuning.defaults(for: backend.device).pixelGroupWidth)
        let (im2col, rows) = try tuner.tunePatchAndRowKernels()
        #expect(Set(im2col.map(\.kernel)) == Set(Im2colKernel.allCases) && im2col.allSatisfy { $0.seconds > 0 })
        #expect(Set(rows.map(\.kernel)) == Set(RowKernel.allCases) && rows.allSatisfy { $0.seconds > 0 })
        #expect(backend.im2colKernel == .preferred(for: backend.device) && backend.rowKernel == .preferred(for: backend.device),
                "the backend's kernels are restored after timing the others")
    }

    /// A tuning stored before the patch and row kernels were searched has neither field: it
    /// decodes, and means the kernels there were then (patch rows, a work-item per row).
    @Test("a tuning stored before the patch and row kernels and vector loads were searched still loads")
    func olderTuningLoads() throws {
        let tiles = TiledGEMMTiles(tileRows: 64, tileColumns: 64, depth: 16, itemRows: 4, itemColumns: 4)
        let old = KernelTuning(origin: .tuned(date: "2026-12-02", search: "test"), gemm: .tiled(tiles), pixelGroupWidth: 32)
        let json = String(decoding: try JSONEncoder().encode(old), as: UTF8.self)
        #expect(!json.contains("im2colKernel") && !json.contains("rowKernel"))
        // The tiling as it was stored then, without the load width.
        let older = json.replacingOccurrences(of: ",\"vectorWidth\":1", with: "").replacingOccurrences(of: "\"vectorWidth\":1,", with: "")
        #expect(!older.contains("vectorWidth"))
        let loaded = try JSONDecoder().decode(KernelTuning.self, from: Data(older.utf8))
        #expect(loaded == old && loaded.im2colKernelInUse == .patchRows && loaded.rowKernelInUse == .workItem)
        let device = try TestBackends.openCLDevice()
        let backend = try OpenCLBackend(device: device, tuning: loaded)
        #expect(backend.im2colKernel == .patchRows && backend.rowKernel == .workItem)
        var tuned = loaded
        tuned.im2colKernel = .coalesced
        tuned.rowKernel = .workGroup
        let coalesced = try OpenCLBackend(device: device, tuning: tuned)
        #expect(coalesced.im2colKernel == .coalesced && coalesced.rowKernel == .workGroup)
        #expect(tuned.summary.last?.contains("im2col coalesced") == true)
    }

    /// The GPU's search, run on PoCL: no GPU has run it, so this is where it is known to work.
    @Test("a bounded search of the tiled space works and picks a correct choice")
    func tiledSearch() throws {
        let backend = try TestBackends.openCL()
        // Work-groups of at most 64 keep the space, and the programs the test builds, small.
        let tuner = KernelTuner(backend: backend, space: .tiled(DeviceLimits(maxWorkGroupSize: 64, localMemoryBytes: 32 << 10)))
        tuner.samples = 1
        tuner.sampleSeconds = 0.001
        let result = try tuner.tune(KernelTuner.Shape(name: "test", m: 45, n: 70, k: 21), search: .bounded)
        #expect(result.rejected.isEmpty)
        #expect(result.timed > 5 && result.timed < tuner.space.size)
        #expect(result.best.seconds.isFinite, "timed \(result.timed) of \(tuner.space.size)")
    }
}
