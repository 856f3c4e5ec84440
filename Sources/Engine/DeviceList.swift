import OpenCL

/// Several devices to compute on side by side (`signet sweep --devices`): `all`, or a comma
/// list of `cpu` and `opencl:N`, each named once.
public enum DeviceList: Equatable, Sendable, CustomStringConvertible {
    /// The CPU backend and every OpenCL device that is not the CPU itself (`allDevices(among:)`).
    case all
    /// These devices, in this order.
    case listed([DeviceRequest])

    /// Parses the flag's text.
    /// - Throws: `EngineError.deviceUnavailable` naming the entry that is not a device, that
    ///   names no one device (`auto`, `opencl`), or that is listed twice.
    public init(parsing text: String) throws {
        let entries = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if entries == ["all"] {
            self = .all
            return
        }
        var requests: [DeviceRequest] = []
        for entry in entries {
            let request: DeviceRequest
            do {
                request = try DeviceRequest(parsing: entry)
            } catch {
                throw EngineError.deviceUnavailable("unknown device '\(entry)' in '\(text)': list cpu and opencl:N "
                    + "(see `signet devices`), or give all")
            }
            switch request {
            case .auto, .opencl(index: nil):
                throw EngineError.deviceUnavailable("'\(entry)' names no one device: list cpu and opencl:N (see `signet devices`)")
            case .cpu, .opencl:
                guard !requests.contains(request) else {
                    throw EngineError.deviceUnavailable("\(request) is listed twice in '\(text)': each device runs one worker")
                }
                requests.append(request)
            }
        }
        self = .listed(requests)
    }

    public var description: String {
        switch self {
        case .all: return "all"
        case let .listed(requests): return requests.map(\.description).joined(separator: ",")
        }
    }

    /// The devices `all` stands for among `devices`, and those it leaves out with why: the CPU
    /// backend and every OpenCL device but those of CPU type (PoCL, say), which would compute on
    /// the very cores the CPU backend uses; listed by name, they still run.
    public static func allDevices(among devices: [Device]) -> (used: [DeviceRequest], leftOut: [(request: DeviceRequest, reason: String)]) {
        var used: [DeviceRequest] = [.cpu]
        var leftOut: [(request: DeviceRequest, reason: String)] = []
        for (index, device) in devices.enumerated() {
            if device.kind == .cpu {
                leftOut.append((.opencl(index: index), "\(device.name) is a CPU device: it would compute on the CPU backend's cores"))
            } else {
                used.append(.opencl(index: index))
            }
        }
        return (used, leftOut)
    }

    /// The devices this list names among `devices`.
    /// - Throws: `EngineError.deviceUnavailable` for an `opencl:N` past the last device.
    public func requests(among devices: [Device]) throws -> [DeviceRequest] {
        switch self {
        case .all:
            return Self.allDevices(among: devices).used
        case let .listed(requests):
            for case let .opencl(index?) in requests where index >= devices.count {
                throw EngineError.deviceUnavailable("no OpenCL device \(index): there \(devices.count == 1 ? "is 1 device" : "are \(devices.count) devices") (see `signet devices`)")
            }
            return requests
        }
    }
}
