import OpenCL

/// One GEMM kernel with its build parameters: what a tuning stores per shape, and what
/// `OpenCLGEMM` builds and runs.
public enum GEMMChoice: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `gemm_reference`, which has no parameters.
    case reference
    /// `gemm_packed` with this blocking.
    case packed(PackedGEMMTiles)
    /// `gemm_tiled` with this tiling.
    case tiled(TiledGEMMTiles)

    /// The kernel family.
    public var variant: GEMMVariant {
        switch self {
        case .reference: .reference
        case .packed: .packed
        case .tiled: .tiled
        }
    }

    /// The variant's untuned parameters for `device`: what runs where no tuning applies.
    public static func standard(_ variant: GEMMVariant, for device: DeviceLimits) -> GEMMChoice {
        switch variant {
        case .reference: .reference
        case .packed: .packed(.standard)
        case .tiled: .tiled(TiledGEMMTiles.candidates.first { $0.fits(device) } ?? TiledGEMMTiles.candidates.last!)
        }
    }

    /// `packed 8x32, 8 panels/group`, `tiled 64x64x16, 4x4/item`, `reference`.
    public var description: String {
        switch self {
        case .reference: "reference"
        case let .packed(tiles): "packed \(tiles)"
        case let .tiled(tiles): "tiled \(tiles)"
        }
    }
}

/// The limits of a device that decide which kernel parameters can run on it.
public struct DeviceLimits: Sendable, Equatable {
    public var maxWorkGroupSize: Int
    public var localMemoryBytes: Int

    public init(maxWorkGroupSize: Int, localMemoryBytes: Int) {
        self.maxWorkGroupSize = maxWorkGroupSize
        self.localMemoryBytes = localMemoryBytes
    }
}

/// The blocking of `gemm_packed`, passed to `gemm.cl` as `-D` defines.
public struct PackedGEMMTiles: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Rows of C per work-item (`MR`): the A values broadcast per step of k.
    public var rows: Int
    /// 16-wide vectors per row of the block (`NV`); the block is `16 * vectors` columns wide.
    public var vectors: Int
    /// Row panels per work-group: work-items of one group share a B panel while it is in cache.
    /// It sets the launch's local size only, so it needs no build of its own.
    public var panelsPerGroup: Int

    public init(rows: Int, vectors: Int, panelsPerGroup: Int) {
        self.rows = rows
        self.vectors = vectors
        self.panelsPerGroup = panelsPerGroup
    }

    public var columns: Int { 16 * vectors }
    var options: String { "-D MR=\(rows) -D NV=\(vectors)" }

    /// 8 x 32 keeps 16 accumulators of 16 floats, half of AVX-512's 32 vector registers, and
    /// loads 2 vectors + 8 broadcasts per 16 FMAs; 8 row panels per group share each B panel.
    /// On PoCL 3.1 (2-core EPYC, AVX-512), square N = 256 / 1024 / 2048 with packing included:
    /// 8 x 32 ran 250 / 430 / 400 GFLOP/s; 4 x 64 and 12 x 32 were within run-to-run noise
    /// of it; one panel per group (no B panel shared) was 10-25% slower at 256 and 2048.
    public static let standard = PackedGEMMTiles(rows: 8, vectors: 2, panelsPerGroup: 8)

    public var description: String { "\(rows)x\(columns), \(panelsPerGroup) panels/group" }
}

/// The tiling of `gemm_tiled`, passed to `gemm.cl` as `-D` defines.
public struct TiledGEMMTiles: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Rows and columns of C per work-group (`TSM`, `TSN`) and the k-depth of a tile (`TSK`).
    public var tileRows: Int, tileColumns: Int, depth: Int
    /// Rows and columns of C per work-item (`WPTM`, `WPTN`).
    public var itemRows: Int, itemColumns: Int
    /// Words of padding per k-row of the local tiles (`PAD`), against local-memory bank
    /// conflicts when A is staged (see `gemm.cl`).
    public var padding: Int
    /// Values per load when the tiles are staged (`VW`): 1, or 4 for vector loads.
    public var vectorWidth: Int

    public init(tileRows: Int, tileColumns: Int, depth: Int, itemRows: Int, itemColumns: Int, padding: Int = 0,
                vectorWidth: Int = 1) {
        self.tileRows = tileRows
        self.tileColumns = tileColumns
        self.depth = depth
        self.itemRows = itemRows
        self.itemColumns = itemColumns
        self.padding = padding
        self.vectorWidth = vectorWidth
    }

    private enum CodingKeys: String, CodingKey {
        case tileRows, tileColumns, depth, itemRows, itemColumns, padding, vectorWidth
    }

    /// Decodes a stored tiling; one stored before vector loads existed has no `vectorWidth`, and
    /// loaded one value at a time.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tileRows = try container.decode(Int.self, forKey: .tileRows)
        tileColumns = try container.decode(Int.self, forKey: .tileColumns)
        depth = try container.decode(Int.self, forKey: .depth)
        itemRows = try container.decode(Int.self, forKey: .itemRows)
        itemColumns = try container.decode(Int.self, forKey: .itemColumns)
        padding = try container.decode(Int.self, forKey: .padding)
        vectorWidth = try container.decodeIfPresent(Int.self, forKey: .vectorWidth) ?? 1
    }

    /// The work-group size: (columns, rows) of work-items. (The groups themselves are laid
    /// out the other way round, rows on dimension 0: see `TiledGEMM.run`.)
    var groupSize: [Int] { [tileColumns / itemColumns, tileRows / itemRows] }
    var threads: Int { groupSize[0] * groupSize[1] }
    var localBytes: Int { (tileRows + tileColumns + 2 * padding) * depth * MemoryLayout<Float>.stride }
    var options: String {
        "-D TSM=\(tileRows) -D TSN=\(tileColumns) -D TSK=\(depth) -D WPTM=\(itemRows) -D WPTN=\(itemColumns)"
            + (padding > 0 ? " -D PAD=\(padding)" : "") + (vectorWidth > 1 ? " -D VW=\(vectorWidth)" : "")
    }

    /// Whether `gemm.cl` accepts this tiling (each work-item loads the same number of vectors of
    /// each tile) and `device` has the work-group size and local memory for it.
    public func fits(_ device: DeviceLimits) -> Bool {
        guard tileRows % itemRows == 0, tileColumns % itemColumns == 0, [1, 4].contains(vectorWidth) else { return false }
        let loads = threads * vectorWidth
        return (tileRows * depth) % loads == 0 && (depth * tileColumns) % loads == 0
            && [depth, tileRows, tileColumns].allSatisfy { $0 % vectorWidth == 0 }
            && threads <= device.maxWorkGroupSize && localBytes <= device.localMemoryBytes
    }

    /// In order of preference: 64 x 64 tiles with 4 x 4 per work-item (256 work-items, 8 KiB
    /// of local memory: 16 accumulators per work-item and 4 tiles' worth of reuse per load),
    /// then the same tile with fewer, busier work-items for devices whose work-groups are
    /// smaller, then a small tile for the most limited ones.
    public static let candidates = [
        TiledGEMMTiles(tileRows: 64, tileColumns: 64, depth: 16, itemRows: 4, itemColumns: 4),
        TiledGEMMTiles(tileRows: 64, tileColumns: 64, depth: 16, itemRows: 8, itemColumns: 8),
        TiledGEMMTiles(tileRows: 16, tileColumns: 16, depth: 16, itemRows: 2, itemColumns: 2),
    ]

    public var description: String {
        "\(tileRows)x\(tileColumns)x\(depth), \(itemRows)x\(itemColumns)/item" + (padding > 0 ? ", padded \(padding)" : "")
            + (vectorWidth > 1 ? ", loads of \(vectorWidth)" : "")
    }
}

extension Device {
    /// The limits kernel parameters are checked against.
    public var limits: DeviceLimits {
        DeviceLimits(maxWorkGroupSize: maxWorkGroupSize, localMemoryBytes: localMemoryBytes)
    }
}
