import ArgumentParser
import Engine
import Foundation
import Learning
import OpenCL

/// `signet devices`: every OpenCL platform and device, what `--device auto` picks, and what
/// `signet sweep --devices all` runs on.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List OpenCL platforms and devices, and show which one --device auto picks and which sweep --devices all uses."
    )

    @Flag(help: "Print the list as JSON.")
    var json = false

    func run() throws {
        let devices = try listOpenCLDevices()
        let pick = DeviceRequest.automaticPick(among: devices)
        let report = DeviceReport(devices: devices, autoIndex: pick.index, autoReason: pick.reason)
        if json {
            print(try report.jsonText())
        } else {
            print(report.text)
        }
    }
}

/// The devices as `signet devices` shows them, text or JSON.
struct DeviceReport: Encodable {
    struct Entry: Encodable {
        var index: Int
        var selector: String
        var platform: String
        var name: String
        var vendor: String
        var type: String
        var driverVersion: String
        var openCLVersion: String
        var openCLCVersion: String
        var computeUnits: Int
        var globalMemoryBytes: Int
        var localMemoryBytes: Int
        var maxWorkGroupSize: Int
        var maxAllocationBytes: Int
        var autoPick: Bool
        /// The kernel parameters a backend on this device uses (`signet tune`), or why they
        /// cannot be read.
        var tuning: KernelTuning?
        var tuningError: String?
    }

    var devices: [Entry]
    /// What `--device auto` chooses: `opencl:N` or `cpu`.
    var auto: String
    var autoReason: String
    /// What `signet sweep --devices all` runs on: `cpu` and `opencl:N`.
    var sweepDevices: [String]
    /// The devices `--devices all` leaves out, with why.
    var sweepLeftOut: [LeftOut]

    struct LeftOut: Encodable {
        var selector: String
        var reason: String
    }

    init(devices: [Device], autoIndex: Int?, autoReason: String) {
        self.devices = devices.enumerated().map { index, device in
            var tuning: KernelTuning?, tuningError: String?
            do {
                tuning = try TuningStore.tuningInUse(for: device)
            } catch {
                tuningError = "\(error)"
            }
            return Entry(index: index, selector: "opencl:\(index)", platform: device.platformName, name: device.name,
                  vendor: device.vendor, type: device.kind.rawValue, driverVersion: device.driverVersion,
                  openCLVersion: device.version, openCLCVersion: device.openCLCVersion,
                  computeUnits: device.computeUnits, globalMemoryBytes: device.globalMemoryBytes,
                  localMemoryBytes: device.localMemoryBytes, maxWorkGroupSize: device.maxWorkGroupSize,
                  maxAllocationBytes: device.maxAllocationBytes, autoPick: index == autoIndex,
                  tuning: tuning, tuningError: tuningError)
        }
        auto = autoIndex.map { "opencl:\($0)" } ?? "cpu"
        self.autoReason = autoReason
        let all = DeviceList.allDevices(among: devices)
        sweepDevices = all.used.map(\.description)
        sweepLeftOut = all.leftOut.map { LeftOut(selector: $0.request.description, reason: $0.reason) }
    }

    var text: String {
        var lines: [String] = []
        if devices.isEmpty { lines.append("No OpenCL platform or device found.") }
        var platform = ""
        for entry in devices {
            if entry.platform != platform {
                platform = entry.platform
                lines.append("Platform: \(platform)")
            }
            lines.append("  [\(entry.selector)] \(entry.name)\(entry.autoPick ? "   <- auto" : "")")
            lines.append("      type \(entry.type), vendor \(entry.vendor), driver \(entry.driverVersion)")
            lines.append("      \(entry.openCLVersion); \(entry.openCLCVersion)")
            lines.append("      \(entry.computeUnits) compute units, global memory \(MetricText.bytes(entry.globalMemoryBytes)), "
                + "local memory \(MetricText.bytes(entry.localMemoryBytes)), max work-group \(entry.maxWorkGroupSize), "
                + "max allocation \(MetricText.bytes(entry.maxAllocationBytes))")
            lines += (entry.tuning?.summary ?? ["kernels: \(entry.tuningError ?? "unknown")"]).map { "      " + $0 }
        }
        lines.append("[cpu] CPU backend (OpenBLAS)\(auto == "cpu" ? "   <- auto" : "")")
        lines.append("--device auto picks \(auto): \(autoReason)")
        lines.append("signet sweep --devices all uses \(sweepDevices.joined(separator: ", "))"
            + sweepLeftOut.map { "; leaves out \($0.selector) (\($0.reason); list it to add it)" }.joined())
        return lines.joined(separator: "\n")
    }

    func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
