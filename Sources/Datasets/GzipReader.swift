import CZlib
import Foundation

/// Decompresses a gzip file with zlib, streaming its input in 1 MiB pieces.
///
/// Concatenated gzip members (what `cat a.gz b.gz` makes) are decoded one after the other, as
/// `gunzip` does. zlib checks each member's CRC-32 and length trailer, so a damaged file is an
/// error rather than wrong pixels.
package enum GzipReader {
    /// The two bytes every gzip member starts with.
    static let magic: [UInt8] = [0x1f, 0x8b]

    /// The most a file may inflate to: MNIST's largest file is 47 MB, so anything past 1 GiB is a
    /// damaged or hostile file (a gzip bomb), refused before it exhausts memory.
    static let maximumDecompressedBytes = 1 << 30

    /// The decompressed contents of the gzip file at `url`, read in 1 MiB pieces.
    static func decompress(_ url: URL) throws -> ByteBuffer {
        let path = url.path
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw DatasetError.unreadable(file: path, reason: "cannot open for reading")
        }
        defer { try? handle.close() }
        return try decompress(file: path, sizeHint: sizeHint(handle)) {
            do { return try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw DatasetError.unreadable(file: path, reason: error.localizedDescription)
            }
        }
    }

    /// The decompressed contents of gzip bytes held in memory; `file` names them in errors.
    package static func decompress(_ data: Data, file: String) throws -> ByteBuffer {
        var pending: Data? = data
        // A few times the input to start: deflate's usual ratio, and growth is by doubling.
        return try decompress(file: file, sizeHint: min(1 << 20, data.count * 4)) {
            defer { pending = nil }
            return pending ?? Data()
        }
    }

    /// Inflates the pieces `next` returns until it returns an empty one.
    private static func decompress(file: String, sizeHint: Int, next: () throws -> Data) throws -> ByteBuffer {
        let output = ByteBuffer(capacity: sizeHint)
        var inflater = try Inflater(file: file)
        var first = true
        while true {
            let chunk = try next()
            if first {
                guard chunk.count >= 2, chunk[chunk.startIndex] == magic[0], chunk[chunk.startIndex + 1] == magic[1] else {
                    throw DatasetError.notGzip(file: file)
                }
                first = false
            }
            if chunk.isEmpty { break }
            try chunk.withUnsafeBytes { try inflater.feed($0, into: output) }
        }
        guard inflater.finishedMember else {
            throw DatasetError.truncated(file: file, detail: "the file ends in the middle of the gzip stream")
        }
        return output
    }

    /// The uncompressed size the gzip trailer states (modulo 4 GiB), to size the output once;
    /// only a hint: a damaged trailer costs a reallocation, nothing more.
    private static func sizeHint(_ handle: FileHandle) -> Int {
        guard let end = try? handle.seekToEnd(), end >= 18, (try? handle.seek(toOffset: end - 4)) != nil,
              let trailer = try? handle.read(upToCount: 4), trailer.count == 4 else {
            try? handle.seek(toOffset: 0)
            return 1 << 20
        }
        try? handle.seek(toOffset: 0)
        let bytes = Array(trailer)
        let size = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
        // Deflate inflates at most about 1032 to 1: a trailer claiming more is damaged, and
        // trusting it would reserve up to a gigabyte for a few bytes of input.
        return min(max(size, 4096), 1 << 30, Int(end) * 1032)
    }
}

/// One zlib inflate stream set up for gzip, fed piece by piece.
private struct Inflater: ~Copyable {
    private let stream: UnsafeMutablePointer<z_stream>
    private let file: String
    /// True between the end of one gzip member and the first byte of the next (or end of file).
    private(set) var finishedMember = false

    init(file: String) throws {
        self.file = file
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = czlib_inflate_init_gzip(stream)
        guard status == Z_OK else {
            stream.deallocate()
            throw DatasetError.corruptGzip(file: file, detail: "zlib could not start (status \(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Decodes all of `input`, appending the output to `output`.
    mutating func feed(_ input: UnsafeRawBufferPointer, into output: ByteBuffer) throws {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        while stream.pointee.avail_in > 0 {
            if finishedMember {
                // More bytes after a complete member: they must be another member.
                inflateReset(stream)
                finishedMember = false
            }
            try inflateOnce(into: output)
        }
    }

    /// Runs `inflate` until it needs more input or a member ends.
    private mutating func inflateOnce(into output: ByteBuffer) throws {
        while true {
            output.reserve(1 << 16)
            let room = min(output.spare, Int(UInt32.max))
            stream.pointee.next_out = output.end.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(room)
            let status = inflate(stream, Z_NO_FLUSH)
            output.count += room - Int(stream.pointee.avail_out)
            guard output.count <= GzipReader.maximumDecompressedBytes else {
                throw DatasetError.corruptGzip(file: file, detail: "it inflates past \(GzipReader.maximumDecompressedBytes >> 20) MiB, far more than any dataset file")
            }
            switch status {
            case Z_STREAM_END:
                finishedMember = true
                return
            case Z_OK:
                if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 { return }
            case Z_BUF_ERROR:
                // No progress possible: all input consumed mid-member. The next piece continues it.
                return
            default:
                throw DatasetError.corruptGzip(file: file, detail: zlibMessage(status))
            }
        }
    }

    private func zlibMessage(_ status: Int32) -> String {
        if let message = stream.pointee.msg { return String(cString: message) }
        switch status {
        case Z_NEED_DICT: return "the stream needs a preset dictionary"
        case Z_MEM_ERROR: return "zlib ran out of memory"
        default: return "zlib status \(status)"
        }
    }
}
