import Engine
import OpenCL

/// The four contenders, by name, and how to start each.
public enum ContenderKind: String, CaseIterable, Sendable {
    case openblas, cpu, opencl, clblast

    /// Whether this contender needs an OpenCL device.
    public var needsOpenCL: Bool { self == .opencl || self == .clblast }

    /// Starts the contender. The OpenCL ones run on `device` (see `BenchmarkDevice.pick`).
    /// - Parameters:
    ///   - variant: forces OpenCLBackend's GEMM variant; nil takes the device's preferred one.
    ///   - blasThreads: the OpenBLAS baseline's thread count; nil takes OpenBLAS's count now.
    public func make(device: (index: Int, device: Device)? = nil, variant: GEMMVariant? = nil,
                     blasThreads: Int32? = nil) throws -> any GEMMContender {
        switch self {
        case .openblas:
            return OpenBLASContender(threads: blasThreads)
        case .cpu:
            return CPUBackendContender()
        case .opencl:
            let device = try device ?? BenchmarkDevice.pick()
            return try OpenCLBackendContender(device: device.device, variant: variant)
        case .clblast:
            let device = try device ?? BenchmarkDevice.pick()
            return try CLBlastContender(deviceIndex: device.index, expectedName: device.device.name)
        }
    }
}
