import Foundation

/// A folder of compiled program binaries, so that a second run skips the OpenCL compiler.
///
/// An entry is keyed by everything that changes the binary: device name, platform, driver
/// version, build options and the full source text. The whole key is stored inside the entry
/// and compared on load, so a hash collision or a stale file can never hand back the wrong
/// binary; a truncated or corrupt entry (wrong magic, lengths or checksum) is ignored, removed
/// and rebuilt. Entries are written atomically (temporary file, then rename), so concurrent
/// runs never see half a file.
public struct ProgramCache: Sendable {
    /// The folder holding the entries.
    public let directory: URL

    /// Everything a binary depends on.
    public struct Key: Sendable, Hashable {
        public var deviceName: String
        public var platformName: String
        public var driverVersion: String
        public var options: String
        public var source: String

        public init(device: Device, options: String, source: String) {
            deviceName = device.name
            platformName = device.platformName
            driverVersion = device.driverVersion
            self.options = options
            self.source = source
        }

        /// The descriptor stored in an entry and compared on load.
        var descriptor: [UInt8] {
            Array([deviceName, platformName, driverVersion, options, source].joined(separator: "\u{0}").utf8)
        }

        /// The entry's file name: a 64-bit FNV-1a digest of the descriptor, in hex.
        var fileName: String {
            String(fnv1a64(descriptor), radix: 16) + ".clbin"
        }
    }

    /// A cache in `directory`, created on first store.
    public init(directory: URL) {
        self.directory = directory
    }

    /// The default location: `$SIGNET_CACHE_DIR/kernels`, else `~/.cache/signet/kernels`.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> ProgramCache {
        let root: URL
        if let custom = environment["SIGNET_CACHE_DIR"], !custom.isEmpty {
            root = URL(fileURLWithPath: custom, isDirectory: true)
        } else {
            root = FileManager.default.homeDirectoryForCurrentUser
                .appendingPathComponent(".cache/signet", isDirectory: true)
        }
        return ProgramCache(directory: root.appendingPathComponent("kernels", isDirectory: true))
    }

    /// The file an entry for `key` lives in.
    public func url(for key: Key) -> URL {
        directory.appendingPathComponent(key.fileName)
    }

    /// The cached binary for `key`, or nil if there is none or the entry does not verify
    /// (a bad entry is deleted so that the next store replaces it cleanly).
    public func binary(for key: Key) -> [UInt8]? {
        let file = url(for: key)
        guard let data = try? Data(contentsOf: file) else { return nil }
        if let binary = CacheEntry.decode(Array(data), expecting: key.descriptor) {
            return binary
        }
        try? FileManager.default.removeItem(at: file)
        return nil
    }

    /// Stores `binary` for `key`. Failing to write (read-only home, full disk) is not an error:
    /// the cache only saves time.
    public func store(_ binary: [UInt8], for key: Key) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let entry = CacheEntry.encode(binary: binary, descriptor: key.descriptor)
            try Data(entry).write(to: url(for: key), options: .atomic)
        } catch {
            // Deliberately ignored: the next run compiles from source again.
        }
    }
}

/// The entry format: magic, descriptor length and bytes, binary length and bytes, FNV-1a of all before.
package enum CacheEntry {
    package static let magic = Array("SGNTCL01".utf8)

    package static func encode(binary: [UInt8], descriptor: [UInt8]) -> [UInt8] {
        var bytes = magic
        append(UInt64(descriptor.count), to: &bytes)
        bytes += descriptor
        append(UInt64(binary.count), to: &bytes)
        bytes += binary
        append(fnv1a64(bytes), to: &bytes)
        return bytes
    }

    package static func decode(_ bytes: [UInt8], expecting descriptor: [UInt8]) -> [UInt8]? {
        var cursor = magic.count
        guard bytes.count >= magic.count + 24, Array(bytes[0..<magic.count]) == magic else { return nil }
        // Lengths are checked against what is left, never added to the cursor unchecked: a
        // crafted entry may hold any 64 bits there.
        guard let descriptorLength = readLength(bytes, at: &cursor),
              descriptorLength <= bytes.count - cursor,
              Array(bytes[cursor..<cursor + descriptorLength]) == descriptor else { return nil }
        cursor += descriptorLength
        guard let binaryLength = readLength(bytes, at: &cursor),
              bytes.count - cursor >= 8, binaryLength == bytes.count - cursor - 8 else { return nil }
        let binary = Array(bytes[cursor..<cursor + binaryLength])
        cursor += binaryLength
        guard let stored = readWord(bytes, at: &cursor), stored == fnv1a64(bytes[0..<bytes.count - 8]) else { return nil }
        return binary
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    /// A little-endian 64-bit word at `cursor`, advancing it.
    private static func readWord(_ bytes: [UInt8], at cursor: inout Int) -> UInt64? {
        guard cursor >= 0, bytes.count - cursor >= 8 else { return nil }
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[cursor + index]) << (8 * UInt64(index)) }
        cursor += 8
        return value
    }

    /// A length: a word that fits in `Int` (a corrupt entry may hold any bits).
    private static func readLength(_ bytes: [UInt8], at cursor: inout Int) -> Int? {
        readWord(bytes, at: &cursor).flatMap { $0 <= UInt64(Int.max) ? Int($0) : nil }
    }
}

/// 64-bit FNV-1a: a fast, dependency-free digest for cache file names and entry checksums.
func fnv1a64<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    return hash
}
