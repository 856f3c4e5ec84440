import OpenCL

/// What the user asked for with `--device` or `SIGNET_DEVICE`: `auto`, `cpu`, `opencl`, `opencl:N`.
public enum DeviceRequest: Equatable, Sendable, CustomStringConvertible {
    /// An OpenCL GPU if there is one, else the CPU backend.
    case auto
    /// The CPU backend (OpenBLAS and Swift loops, no OpenCL).
    case cpu
    /// An OpenCL device: number N of `signet devices`, or (nil) the first GPU, else the first device.
    case opencl(index: Int?)

    /// Parses the flag's text.
    /// - Throws: `EngineError.deviceUnavailable` with the accepted forms.
    public init(parsing text: String) throws {
        let value = text.trimmingCharacters(in: .whitespaces).lowercased()
        switch value {
        case "auto": self = .auto
        case "cpu": self = .cpu
        case "opencl", "gpu": self = .opencl(index: nil)
        default:
            if value.hasPrefix("opencl:"), let index = Int(value.dropFirst("opencl:".count)), index >= 0 {
                self = .opencl(index: index)
            } else {
                throw EngineError.deviceUnavailable("unknown device '\(text)': use auto, cpu, opencl or opencl:N (see `signet devices`)")
            }
        }
    }

    public var description: String {
        switch self {
        case .auto: return "auto"
        case .cpu: return "cpu"
        case let .opencl(index): return index.map { "opencl:\($0)" } ?? "opencl"
        }
    }
}

/// A backend together with why it was chosen, for the one line the CLI prints.
public struct BackendChoice {
    public let backend: any Backend
    public let reason: String
}

extension DeviceRequest {
    /// Which device `auto` takes from `devices`, and why: the first GPU, else none (the CPU backend).
    public static func automaticPick(among devices: [Device]) -> (index: Int?, reason: String) {
        if let index = devices.firstIndex(where: { $0.kind == .gpu }) {
            return (index, "auto: OpenCL GPU found (\(devices[index].name))")
        }
        if devices.isEmpty {
            return (nil, "auto: no OpenCL device found, using the CPU backend")
        }
        return (nil, "auto: no OpenCL GPU found; the CPU backend avoids OpenCL's launch and copy costs on a CPU (--device opencl runs on \(devices[0].name))")
    }

    /// Makes the backend this request names.
    /// - Parameters:
    ///   - devices: the OpenCL devices to choose from (by default, all of them).
    ///   - gemm: forces a GEMM variant on an OpenCL backend; nil picks by device type.
    /// The index `opencl:N` (`requested`) or `opencl` (nil: the first GPU, else the first
    /// device) names among `available`.
    /// - Throws: `EngineError.deviceUnavailable` when there is no such device.
    public static func openCLIndex(_ requested: Int?, among available: [Device]) throws -> Int {
        guard !available.isEmpty else {
            throw EngineError.deviceUnavailable(
                "no OpenCL device found: install an OpenCL driver (e.g. pocl-opencl-icd) or use --device cpu")
        }
        let index = requested ?? available.firstIndex { $0.kind == .gpu } ?? 0
        guard index < available.count else {
            throw EngineError.deviceUnavailable(
                "no OpenCL device \(index): there \(available.count == 1 ? "is 1 device" : "are \(available.count) devices") (see `signet devices`)")
        }
        return index
    }

    /// - Throws: `EngineError.deviceUnavailable` when the request names no existing device,
    ///   or the OpenCL error that stopped the device from starting.
    public func makeBackend(devices: [Device]? = nil, gemm: GEMMVariant? = nil,
                            cache: ProgramCache? = .standard()) throws -> BackendChoice {
        // The CPU backend needs no OpenCL: a broken driver must not stop it.
        if self == .cpu { return BackendChoice(backend: CPUBackend(), reason: "cpu: requested") }
        let available = try devices ?? Device.all()
        switch self {
        case .cpu:
            return BackendChoice(backend: CPUBackend(), reason: "cpu: requested")
        case .auto:
            let (index, reason) = Self.automaticPick(among: available)
            guard let index else { return BackendChoice(backend: CPUBackend(), reason: reason) }
            return BackendChoice(backend: try OpenCLBackend(device: available[index], gemm: gemm, cache: cache), reason: reason)
        case let .opencl(requested):
            let index = try Self.openCLIndex(requested, among: available)
            let backend = try OpenCLBackend(device: available[index], gemm: gemm, cache: cache)
            return BackendChoice(backend: backend, reason: "\(self): \(available[index].name)")
        }
    }
}

import Foundation
