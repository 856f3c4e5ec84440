import CZlib
import Foundation
import Testing
@testable import Report

/// The sprite sheets' PNG encoder: the bytes a decoder needs, checked chunk by chunk.
@Suite("PNG sprite sheets")
struct PNGImageTests {
    @Test func aSmallImageHasTheChunksAndPixelsOfAPNG() throws {
        let pixels: [UInt8] = [0, 50, 100, 150, 200, 250]
        let png = try PNGImage(width: 3, height: 2, pixels: pixels).encoded()
        let bytes = [UInt8](png)
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var chunks: [(type: String, body: [UInt8])] = []
        var offset = 8
        while offset < bytes.count {
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            let body = Array(bytes[offset + 8..<offset + 8 + length])
            let stored = UInt32(bytes[offset + 8 + length]) << 24 | UInt32(bytes[offset + 9 + length]) << 16
                | UInt32(bytes[offset + 10 + length]) << 8 | UInt32(bytes[offset + 11 + length])
            let typed = Array(bytes[offset + 4..<offset + 8 + length])
            #expect(UInt32(crc32(0, typed, uInt(typed.count))) == stored, "CRC of \(type)")
            chunks.append((type, body))
            offset += 12 + length
        }
        #expect(chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
        #expect(chunks[0].body == [0, 0, 0, 3, 0, 0, 0, 2, 8, 0, 0, 0, 0])
        // Inflate the image data back: each row is filter byte 0, then its pixels.
        var inflated = [UInt8](repeating: 0, count: 64)
        var size = uLongf(inflated.count)
        let status = uncompress(&inflated, &size, chunks[1].body, uLong(chunks[1].body.count))
        #expect(status == Z_OK)
        #expect(Array(inflated.prefix(Int(size))) == [0, 0, 50, 100, 0, 150, 200, 250])
    }
}
