import Foundation
import OpenCL

/// How one device's OpenCL kernels are parameterised: the GEMM kernel and tiles per problem
/// shape, the work-group width of the per-pixel kernels (im2col, col2im, pooling), and which
/// patch gatherer and softmax row kernels run.
///
/// Untuned devices get `defaults(for:)`, chosen by device type. `signet tune` times the
/// candidates on the device and stores a tuning (`TuningStore`); a backend then takes, for each
/// GEMM, the choice of the tuned shape nearest to the problem's.
public struct KernelTuning: Sendable, Codable, Equatable {
    /// Where the parameters come from.
    public enum Origin: Sendable, Codable, Equatable {
        /// The built-in defaults for a type of device.
        case defaults(deviceType: String)
        /// A tuning run: when, and the search it made.
        case tuned(date: String, search: String)
    }

    /// One shape the tuning timed, the kernel it chose there, and the speed it measured.
    public struct TunedShape: Sendable, Codable, Equatable {
        public var m: Int, n: Int, k: Int
        public var choice: GEMMChoice
        /// Median GFLOP/s of the choice at this shape, as timed by the tuning run.
        public var gflops: Double

        public init(m: Int, n: Int, k: Int, choice: GEMMChoice, gflops: Double) {
            self.m = m
            self.n = n
            self.k = k
            self.choice = choice
            self.gflops = gflops
        }
    }

    public var origin: Origin
    /// The GEMM for every shape when `shapes` is empty.
    public var gemm: GEMMChoice
    /// Tuned shapes; a problem uses the nearest one's choice.
    public var shapes: [TunedShape]
    /// Work-items per group along x for the kernels that run one work-item per pixel.
    public var pixelGroupWidth: Int
    /// The patch gatherer; nil (a tuning stored before it was searched) is the patch-row kernel,
    /// the only one there was then.
    public var im2colKernel: Im2colKernel?
    /// The softmax row kernels; nil (stored before they were searched) is a work-item per row.
    public var rowKernel: RowKernel?

    public init(origin: Origin, gemm: GEMMChoice, shapes: [TunedShape] = [], pixelGroupWidth: Int,
                im2colKernel: Im2colKernel? = nil, rowKernel: RowKernel? = nil) {
        self.origin = origin
        self.gemm = gemm
        self.shapes = shapes
        self.pixelGroupWidth = pixelGroupWidth
        self.im2colKernel = im2colKernel
        self.rowKernel = rowKernel
    }

    /// The patch gatherer in use.
    public var im2colKernelInUse: Im2colKernel { im2colKernel ?? .patchRows }
    /// The softmax row kernels in use.
    public var rowKernelInUse: RowKernel { rowKernel ?? .workItem }

    /// The untuned parameters for `device`, by its type: the packed GEMM, 16-wide pixel groups,
    /// patch rows and a work-item per softmax row on CPU devices (on PoCL, groups of 8 to 64
    /// ran within noise of each other); elsewhere the tiled GEMM, 32-wide groups (a whole
    /// NVIDIA warp, where 16 left half idle), the coalesced im2col and a work-group per long
    /// softmax row.
    /// - Parameter variant: forces this GEMM variant, with its standard parameters.
    public static func defaults(for device: Device, variant: GEMMVariant? = nil) -> KernelTuning {
        let variant = variant ?? .preferred(for: device)
        let width = device.kind == .cpu ? 16 : 32
        return KernelTuning(origin: .defaults(deviceType: device.kind.rawValue),
                            gemm: .standard(variant, for: device.limits),
                            pixelGroupWidth: min(width, device.maxWorkGroupSize),
                            im2colKernel: .preferred(for: device), rowKernel: .preferred(for: device))
    }

    /// The GEMM for an `m x k` times `k x n` product: the choice of the tuned shape nearest in
    /// log scale (each dimension's ratio counts, not its difference), else `gemm`.
    public func gemmChoice(m: Int, n: Int, k: Int) -> GEMMChoice {
        func distance(_ shape: TunedShape) -> Double {
            func gap(_ a: Int, _ b: Int) -> Double { log(Double(max(a, 1))) - log(Double(max(b, 1))) }
            let (dm, dn, dk) = (gap(m, shape.m), gap(n, shape.n), gap(k, shape.k))
            return dm * dm + dn * dn + dk * dk
        }
        return shapes.min { distance($0) < distance($1) }?.choice ?? gemm
    }

    /// Whether this came from a tuning run.
    public var isTuned: Bool {
        if case .tuned = origin { return true }
        return false
    }

    /// Where the parameters come from: `defaults for cpu devices`, `tuned <date> (<search>)`.
    public var originText: String {
        switch origin {
        case let .defaults(type): "defaults for \(type) devices"
        case let .tuned(date, search): "tuned \(date) (\(search))"
        }
    }

    /// Lines for `signet devices`: where the parameters come from and what they are.
    public var summary: [String] {
        var lines: [String]
        switch origin {
        case .defaults:
            lines = ["kernels: \(originText) (run `signet tune` to time the alternatives here)", "  GEMM \(gemm)"]
        case .tuned:
            lines = ["kernels: \(originText)"]
            lines += shapes.map {
                "  GEMM \($0.m)x\($0.k) * \($0.k)x\($0.n): \($0.choice), \(String(format: "%.0f", $0.gflops)) GFLOP/s"
            }
            if shapes.isEmpty { lines.append("  GEMM \(gemm)") }
        }
        lines.append("  pixel kernels: work-groups of \(pixelGroupWidth); im2col \(im2colKernelInUse); "
            + "softmax rows: a \(rowKernelInUse) each")
        return lines
    }

    /// One line: the origin and the GEMM kinds in use (for a backend's description).
    public var brief: String {
        switch origin {
        case .defaults: "GEMM \(gemm)"
        case .tuned: "GEMM tuned (\(Set(shapes.map(\.choice.variant)).map(\.rawValue).sorted().joined(separator: ", ")))"
        }
    }
}
