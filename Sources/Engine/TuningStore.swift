import Foundation
import OpenCL

/// The kernel tunings `signet tune` made, one JSON file per device and driver.
///
/// A file is named by the device's fingerprint and also holds the device's name, platform and
/// driver version, compared on load: a new driver starts untuned rather than inheriting
/// timings from the old one. Files are written atomically, so a run never reads half of one.
public struct TuningStore: Sendable {
    /// The folder holding the files.
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// `$SIGNET_CACHE_DIR/tuning`, else `~/.cache/signet/tuning` (beside the kernel cache).
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> TuningStore {
        let kernels = ProgramCache.standard(environment: environment).directory
        return TuningStore(directory: kernels.deletingLastPathComponent().appendingPathComponent("tuning", isDirectory: true))
    }

    /// What a backend on `device` uses: the stored tuning, else the defaults. With
    /// `SIGNET_TUNING=defaults` the store is not read (tests pin the defaults this way).
    /// - Throws: when the device's file exists but is unreadable.
    public static func tuningInUse(for device: Device,
                                   environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KernelTuning {
        if environment["SIGNET_TUNING"] == "defaults" { return .defaults(for: device) }
        return try standard(environment: environment).tuning(for: device) ?? .defaults(for: device)
    }

    /// The file for `device`.
    public func url(for device: Device) -> URL {
        directory.appendingPathComponent("\(device.fingerprint).json")
    }

    /// The stored tuning for `device`, or nil if there is none or it was made for another
    /// device or driver. A file that exists but cannot be read or decoded is an error.
    public func tuning(for device: Device) throws -> KernelTuning? {
        let file = url(for: device)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let entry: Entry
        do {
            entry = try JSONDecoder().decode(Entry.self, from: Data(contentsOf: file))
        } catch {
            throw EngineError.invalidArgument(operation: "kernel tuning",
                                              detail: "\(file.path) is unreadable (\(error)); run `signet tune --reset`")
        }
        guard entry.device == device.name, entry.platform == device.platformName,
              entry.driver == device.driverVersion else { return nil }
        return entry.tuning
    }

    /// Stores `tuning` for `device`, replacing any earlier one.
    public func save(_ tuning: KernelTuning, for device: Device) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let entry = Entry(device: device.name, platform: device.platformName, driver: device.driverVersion, tuning: tuning)
        try encoder.encode(entry).write(to: url(for: device), options: .atomic)
    }

    /// Removes the tuning for `device`; true if there was one.
    @discardableResult
    public func remove(for device: Device) throws -> Bool {
        let file = url(for: device)
        guard FileManager.default.fileExists(atPath: file.path) else { return false }
        try FileManager.default.removeItem(at: file)
        return true
    }

    private struct Entry: Codable {
        var device: String, platform: String, driver: String
        var tuning: KernelTuning
    }
}
