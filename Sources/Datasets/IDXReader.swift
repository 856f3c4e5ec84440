import Foundation

/// The two IDX file kinds Signet reads: unsigned-byte images and unsigned-byte labels.
enum IDXKind {
    case images
    case labels

    /// The big-endian magic: two zero bytes, type 0x08 (unsigned byte), dimension count.
    var magic: UInt32 {
        switch self {
        case .images: return 0x0000_0803
        case .labels: return 0x0000_0801
        }
    }

    /// The header length: magic plus one 32-bit size per dimension.
    var headerLength: Int {
        switch self {
        case .images: return 16
        case .labels: return 8
        }
    }

    /// "IDX uint8 images" for the magic of a kind, for error messages.
    static func describe(magic: UInt32) -> String {
        switch magic {
        case IDXKind.images.magic: return "IDX uint8 images"
        case IDXKind.labels.magic: return "IDX uint8 labels"
        default: return "IDX"
        }
    }
}

/// The decoded contents of an IDX images file.
package struct IDXImages {
    var count: Int
    var rows: Int
    var columns: Int
    var pixels: [UInt8]
}

/// Reads IDX files, gzip-compressed or raw, and checks everything their header claims.
package enum IDXReader {
    /// Reads an images file (magic 0x803): count x rows x columns unsigned bytes.
    static func readImages(_ url: URL) throws -> IDXImages {
        try withContents(of: url) { try images(in: $0, file: url.path) }
    }

    /// Reads a labels file (magic 0x801): one unsigned byte per item.
    static func readLabels(_ url: URL) throws -> [UInt8] {
        try withContents(of: url) { try labels(in: $0, file: url.path) }
    }

    /// The images an IDX file's (decompressed) bytes hold; `file` names it in errors.
    package static func images(in bytes: UnsafeRawBufferPointer, file: String) throws -> IDXImages {
        let header = try readHeader(bytes, kind: .images, file: file)
        let (count, rows, columns) = (header[0], header[1], header[2])
        guard count > 0 else { throw DatasetError.malformed(file: file, detail: "the header declares 0 images") }
        guard rows > 0, columns > 0 else {
            throw DatasetError.malformed(file: file, detail: "the header declares \(rows)x\(columns) images")
        }
        let (area, overflowA) = rows.multipliedReportingOverflow(by: columns)
        let (total, overflowB) = count.multipliedReportingOverflow(by: area)
        guard !overflowA, !overflowB else {
            throw DatasetError.malformed(file: file, detail: "the header declares \(count) images of \(rows)x\(columns), too many to hold")
        }
        let pixels = try payload(bytes, kind: .images, length: total, file: file,
                                 what: "\(count) images of \(rows)x\(columns)")
        return IDXImages(count: count, rows: rows, columns: columns, pixels: pixels)
    }

    /// The labels an IDX file's (decompressed) bytes hold; `file` names it in errors.
    package static func labels(in bytes: UnsafeRawBufferPointer, file: String) throws -> [UInt8] {
        let count = try readHeader(bytes, kind: .labels, file: file)[0]
        guard count > 0 else { throw DatasetError.malformed(file: file, detail: "the header declares 0 labels") }
        return try payload(bytes, kind: .labels, length: count, file: file, what: "\(count) labels")
    }

    /// Calls `body` with the file's bytes: decompressed if its name ends in `.gz`, as is otherwise.
    static func withContents<R>(of url: URL, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        if url.pathExtension == "gz" {
            return try GzipReader.decompress(url).withBytes(body)
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DatasetError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        return try data.withUnsafeBytes(body)
    }

    /// Checks the magic and returns the header's dimension sizes.
    private static func readHeader(_ bytes: UnsafeRawBufferPointer, kind: IDXKind, file: String) throws -> [Int] {
        guard bytes.count >= 4 else {
            throw DatasetError.truncated(file: file, detail: "\(bytes.count) bytes, shorter than the 4-byte IDX magic")
        }
        let magic = word(bytes, at: 0)
        guard magic == kind.magic else { throw DatasetError.wrongMagic(file: file, found: magic, expected: kind.magic) }
        guard bytes.count >= kind.headerLength else {
            throw DatasetError.truncated(file: file, detail: "\(bytes.count) bytes, shorter than the \(kind.headerLength)-byte header")
        }
        return stride(from: 4, to: kind.headerLength, by: 4).map { Int(word(bytes, at: $0)) }
    }

    /// The `length` bytes after the header, which must be all that follows it.
    private static func payload(_ bytes: UnsafeRawBufferPointer, kind: IDXKind, length: Int,
                                file: String, what: String) throws -> [UInt8] {
        let available = bytes.count - kind.headerLength
        guard available >= length else {
            throw DatasetError.truncated(file: file, detail: "the header declares \(what) (\(length) bytes) but only \(available) bytes follow")
        }
        guard available == length else {
            throw DatasetError.malformed(file: file, detail: "\(available - length) unexpected bytes after the \(what) the header declares")
        }
        return [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            // One memcpy: a per-byte copy would dominate load time in debug builds.
            UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: bytes.baseAddress! + kind.headerLength, byteCount: length)
            initialized = length
        }
    }

    /// The big-endian 32-bit word at `offset`.
    private static func word(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}
