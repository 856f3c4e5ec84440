import OpenCL

/// The OpenCL GEMM kernels. Tile sizes are build-time parameters of each kernel (`-D` defines),
/// not constants, so that a later tuning pass can pick them per device.
public enum GEMMVariant: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// One work-item per value of C: correct everywhere, fast nowhere; the baseline.
    case reference
    /// For CPU devices (PoCL): A and B packed into contiguous panels, each work-item keeping a
    /// register block of C in wide float vectors, no barriers.
    case packed
    /// For GPUs: tiles of A and B staged through local memory, each work-item computing a small
    /// register block of C.
    case tiled

    /// The variant for a device of this kind.
    public static func preferred(for device: Device) -> GEMMVariant {
        device.kind == .cpu ? .packed : .tiled
    }

    public var description: String { rawValue }
}
