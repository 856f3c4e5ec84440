import Foundation

/// The OpenCL C source files compiled into Signet.
///
/// Each case is one file of `Kernels/`, one family of operations. The text comes from the
/// binary itself (`.embedInCode`), unless `SIGNET_KERNELS_DIR` names a folder of `.cl` files,
/// which are then read from disk so kernels can be edited without a rebuild.
public enum KernelSource: String, CaseIterable, Sendable {
    case gemm = "gemm.cl"
    case elementwise = "elementwise.cl"
    case loss = "loss.cl"
    case optimizer = "optimizer.cl"
    case conv = "conv.cl"
    case pool = "pool.cl"
    case convPool = "conv_pool.cl"
    case distance = "distance.cl"
    case neighbors = "neighbors.cl"

    /// The file name, used in build errors and logs.
    public var fileName: String { rawValue }

    /// The embedded source text.
    public var embeddedText: String {
        let bytes: [UInt8]
        switch self {
        case .gemm: bytes = PackageResources.gemm_cl
        case .elementwise: bytes = PackageResources.elementwise_cl
        case .loss: bytes = PackageResources.loss_cl
        case .optimizer: bytes = PackageResources.optimizer_cl
        case .conv: bytes = PackageResources.conv_cl
        case .pool: bytes = PackageResources.pool_cl
        case .convPool: bytes = PackageResources.conv_pool_cl
        case .distance: bytes = PackageResources.distance_cl
        case .neighbors: bytes = PackageResources.neighbors_cl
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The source to compile: from `SIGNET_KERNELS_DIR` when it is set, otherwise embedded.
    /// - Throws: `KernelSourceError.unreadable` if the override folder lacks this file.
    public func text(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        guard let folder = environment["SIGNET_KERNELS_DIR"], !folder.isEmpty else { return embeddedText }
        let path = URL(fileURLWithPath: folder).appendingPathComponent(fileName).path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KernelSourceError.unreadable(path: path)
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Why a kernel source could not be read.
public enum KernelSourceError: Error, CustomStringConvertible {
    case unreadable(path: String)

    public var description: String {
        switch self {
        case let .unreadable(path): return "cannot read kernel source \(path) (SIGNET_KERNELS_DIR is set)"
        }
    }
}
