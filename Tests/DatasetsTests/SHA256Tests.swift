@testable import Datasets
import Foundation
import Testing

@Suite("SHA-256")
struct SHA256Tests {
    @Test("FIPS 180-4 example vectors")
    func standardVectors() {
        #expect(SHA256.hash(Array("".utf8)).hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash(Array("abc".utf8)).hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)).hexString
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000)).hexString
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("Feeding in uneven pieces gives the one-shot digest", arguments: [1, 3, 63, 64, 65, 1000])
    func pieces(size: Int) {
        let message = (0..<3001).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var hasher = SHA256()
        var start = 0
        while start < message.count {
            let end = min(start + size, message.count)
            hasher.update(Array(message[start..<end]))
            start = end
        }
        #expect(hasher.finalize() == SHA256.hash(message))
    }

    @Test("Messages around the padding boundary (55, 56, 63, 64 bytes)")
    func paddingBoundaries() {
        // Reference digests from sha256sum.
        let expected = [
            55: "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
            56: "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
            63: "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34",
            64: "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
        ]
        for (length, digest) in expected {
            #expect(SHA256.hash([UInt8](repeating: 0x61, count: length)).hexString == digest, "length \(length)")
        }
    }

    @Test("The label files in SIGNET_DATA hash to the published checksums")
    func realLabelFiles() throws {
        try checkRealFiles(DatasetName.fileNames.filter { $0.contains("labels") })
    }

    @Test("The image files in SIGNET_DATA hash to the published checksums")
    func realImageFiles() throws {
        try checkRealFiles(DatasetName.fileNames.filter { $0.contains("images") })
    }

    private func checkRealFiles(_ names: [String]) throws {
        let root = sharedDataDirectory()
        for dataset in DatasetName.allCases {
            for name in names {
                let file = root.appendingPathComponent(dataset.folderName).appendingPathComponent(name)
                let expected = try #require(Downloader.publishedChecksums[dataset]?[name])
                #expect(try SHA256.hash(fileAt: file).hexString == expected, "\(dataset.folderName)/\(name)")
            }
        }
    }
}
