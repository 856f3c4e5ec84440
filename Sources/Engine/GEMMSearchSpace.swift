import OpenCL

/// The GEMM parameters `signet tune` may choose among on one device: a grid of its preferred
/// variant's parameters (each axis a list of values, some combinations invalid), plus the
/// other variant's standard choice, so that the search also checks the variant itself.
public struct GEMMSearchSpace: Sendable {
    /// Names and values of the grid's axes.
    public let axes: [(name: String, values: [Int])]
    /// The other variant's standard choice, timed beside the grid.
    public let alternative: GEMMChoice
    /// The grid point the bounded search starts from: the untuned default.
    public let start: [Int]
    private let make: @Sendable ([Int]) -> GEMMChoice?

    /// The space for `device`: the packed grid on CPU devices, the tiled grid elsewhere.
    public static func forDevice(_ device: Device) -> GEMMSearchSpace {
        device.kind == .cpu ? packed(device.limits) : tiled(device.limits)
    }

    /// Rows 4-16 and 1-4 vectors of 16 (at most 24 accumulator vectors: AVX-512 has 32
    /// registers and the loop needs a few for B and the broadcasts), and 1-16 panels per group.
    public static func packed(_ device: DeviceLimits) -> GEMMSearchSpace {
        let standard = PackedGEMMTiles.standard
        return GEMMSearchSpace(
            axes: [("rows", [4, 6, 8, 12, 16]), ("vectors", [1, 2, 3, 4]), ("panels/group", [1, 2, 4, 8, 16])],
            alternative: .standard(.tiled, for: device),
            start: [standard.rows, standard.vectors, standard.panelsPerGroup]
        ) { point in
            guard point[0] * point[1] <= 24, point[2] <= device.maxWorkGroupSize else { return nil }
            return .packed(PackedGEMMTiles(rows: point[0], vectors: point[1], panelsPerGroup: point[2]))
        }
    }

    /// Tiles of 16-128 rows and columns, 8-32 deep, 2-8 x 2-8 values per work-item, unpadded or
    /// padded by a word, staged one value or four per load, wherever the kernel's load rule and
    /// the device's work-group and local memory allow, with at least 32 work-items per group
    /// (a warp).
    public static func tiled(_ device: DeviceLimits) -> GEMMSearchSpace {
        let standard = GEMMChoice.standard(.tiled, for: device)
        guard case let .tiled(start) = standard else { preconditionFailure("tiled standard") }
        return GEMMSearchSpace(
            axes: [("tile rows", [16, 32, 64, 128]), ("tile columns", [16, 32, 64, 128]), ("depth", [8, 16, 32]),
                   ("rows/item", [2, 4, 8]), ("columns/item", [2, 4, 8]), ("padding", [0, 1]), ("load width", [1, 4])],
            alternative: .standard(.packed, for: device),
            start: [start.tileRows, start.tileColumns, start.depth, start.itemRows, start.itemColumns, start.padding,
                    start.vectorWidth]
        ) { point in
            let tiles = TiledGEMMTiles(tileRows: point[0], tileColumns: point[1], depth: point[2],
                                       itemRows: point[3], itemColumns: point[4], padding: point[5], vectorWidth: point[6])
            guard tiles.fits(device), tiles.threads >= min(32, device.maxWorkGroupSize) || tiles == start else { return nil }
            return .tiled(tiles)
        }
    }

    private init(axes: [(name: String, values: [Int])], alternative: GEMMChoice, start: [Int],
                 make: @escaping @Sendable ([Int]) -> GEMMChoice?) {
        self.axes = axes
        self.alternative = alternative
        self.start = start
        self.make = make
    }

    /// The choice at a grid point, or nil where the combination is invalid.
    public func choice(at point: [Int]) -> GEMMChoice? { make(point) }

    /// Every valid grid point, in grid order.
    public var points: [[Int]] {
        axes.reduce([[]]) { partial, axis in partial.flatMap { prefix in axis.values.map { prefix + [$0] } } }
            .filter { make($0) != nil }
    }

    /// How many choices an exhaustive search times per shape: the grid and the alternative.
    public var size: Int { points.count + 1 }
}
