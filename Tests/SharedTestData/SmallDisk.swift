import Foundation

/// A disk that fills up under a test: a tmpfs of a few hundred kilobytes, mounted at a fresh
/// folder for the test and unmounted after. CI runs as root on a machine that allows it; where
/// mounting is refused, `mount` throws and the test fails saying why, rather than passing untested.
public struct SmallDisk {
    /// The mounted folder.
    public let folder: URL

    /// The disk mounted at `folder`.
    public init(folder: URL) {
        self.folder = folder
    }

    public struct MountRefused: Error, CustomStringConvertible {
        public let description: String
    }

    /// Mounts a tmpfs of `kilobytes` and hands its folder to `body`.
    public static func with(kilobytes: Int, _ body: (SmallDisk) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("signet-disk-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, error) = try run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", folder.path])
        guard status == 0 else { throw MountRefused(description: "cannot mount a tmpfs to fill (needs root): \(error)") }
        defer { _ = try? run("/bin/umount", [folder.path]) }
        try body(SmallDisk(folder: folder))
    }

    /// Fills the disk but for `leaving` bytes, with one file named `filler`.
    public func fill(leaving: Int) throws {
        let free = try FileManager.default.attributesOfFileSystem(forPath: folder.path)[.systemFreeSize] as? Int ?? 0
        try Data(count: max(free - leaving, 0)).write(to: folder.appendingPathComponent("filler"))
    }

    private static func run(_ program: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let error = Pipe()
        process.standardError = error
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, message)
    }
}
