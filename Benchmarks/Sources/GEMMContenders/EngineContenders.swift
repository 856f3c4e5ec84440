import Foundation
import Engine
import OpenCL

/// `Engine.CPUBackend.gemm`: OpenBLAS behind the engine's shape checks and tensor storage.
public final class CPUBackendContender: GEMMContender {
    public let name = "CPUBackend"
    let backend = CPUBackend()

    public init() {}

    public var detail: String { backend.description }

    public func prepare(_ problem: SquareGEMM) throws -> any GEMMWorkload {
        try BackendWorkload(backend: backend, problem)
    }
}

/// `Engine.OpenCLBackend.gemm` on one OpenCL device, with the device's preferred GEMM variant
/// (`GEMMVariant.preferred(for:)`), so that a faster kernel is measured as soon as it exists.
///
/// A and B are uploaded once, before timing; the timed multiply is `gemm` then `synchronize()`,
/// so it includes every kernel the variant launches (packing passes too) and the wait for them.
public final class OpenCLBackendContender: GEMMContender {
    public let name = "OpenCLBackend"
    public let backend: OpenCLBackend

    /// - Parameters:
    ///   - device: the OpenCL device.
    ///   - variant: the GEMM kernel; nil takes `GEMMVariant.preferred(for: device)`.
    public init(device: Device, variant: GEMMVariant? = nil) throws {
        backend = try OpenCLBackend(device: device, gemm: variant ?? .preferred(for: device))
        // Programs are compiled here, not in the first timed multiply.
        try backend.warmUp()
    }

    public var detail: String { backend.description }

    /// The GEMM variant asked for.
    public var variant: GEMMVariant { backend.gemmVariant }

    public func prepare(_ problem: SquareGEMM) throws -> any GEMMWorkload {
        try BackendWorkload(backend: backend, problem)
    }
}

final class BackendWorkload: GEMMWorkload {
    let backend: any Backend
    let a: Tensor, b: Tensor, c: Tensor

    init(backend: any Backend, _ problem: SquareGEMM) throws {
        self.backend = backend
        let shape = [problem.n, problem.n]
        a = try backend.upload(problem.a, shape: shape)
        b = try backend.upload(problem.b, shape: shape)
        c = try backend.zeros(shape)
        try backend.synchronize()
    }

    func multiply() throws {
        try backend.gemm(a, b, into: c, transposeA: false, transposeB: false, alpha: 1, beta: 0, epilogue: .none)
        try backend.synchronize()
    }

    func result() throws -> [Float] { try backend.read(c) }
}

/// Which OpenCL device the OpenCL contenders run on.
public enum BenchmarkDevice {
    /// The environment variable that picks a device by its number in `signet devices`.
    public static let environmentVariable = "SIGNET_BENCH_DEVICE"

    /// Device number `index` (in `Device.all()` order, the numbering of `signet devices`); without
    /// one, `SIGNET_BENCH_DEVICE`, else the first GPU, else the first device: as `--device opencl`.
    public static func pick(index: Int? = nil) throws -> (index: Int, device: Device) {
        let devices = try Device.all()
        guard !devices.isEmpty else {
            throw BenchmarkFailure("no OpenCL device found: install an OpenCL driver (e.g. pocl-opencl-icd)")
        }
        let environment = ProcessInfo.processInfo.environment[environmentVariable].flatMap { Int($0) }
        let chosen = index ?? environment ?? devices.firstIndex { $0.kind == .gpu } ?? 0
        guard devices.indices.contains(chosen) else {
            throw BenchmarkFailure("no OpenCL device \(chosen): there are \(devices.count) (see `signet devices`)")
        }
        return (chosen, devices[chosen])
    }

    /// The suites' backends, made when a benchmark's setup asks: the CPU backend, and an
    /// OpenCL backend (programs built) on the device `pick()` takes, where there is one; each
    /// named by `cpuName` or by `openCLName` given the device's number.
    public static func backends(cpuName: String = "cpu", openCLName: (Int) -> String = { "opencl:\($0)" })
        -> [(name: String, make: () throws -> any Backend)] {
        guard let picked = try? pick() else { return [(cpuName, { CPUBackend() })] }
        return [(cpuName, { CPUBackend() }), (openCLName(picked.index), {
            let backend = try OpenCLBackend(device: picked.device)
            try backend.warmUp()
            return backend
        })]
    }
}
