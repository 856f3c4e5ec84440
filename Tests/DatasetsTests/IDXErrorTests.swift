@testable import Datasets
import Foundation
import Testing

/// Every way a file can be wrong gives one error that names the file and the problem.
@Suite("IDX and gzip errors")
struct IDXErrorTests {
    /// Writes a split's two files into a fresh folder and reads them back.
    private func read(images: [UInt8], labels: [UInt8], compressed: Bool = true,
                      in directory: TemporaryDirectory) throws -> LabeledImages {
        let suffix = compressed ? ".gz" : ""
        let imagesFile = try directory.file("train-images-idx3-ubyte" + suffix)
        let labelsFile = try directory.file("train-labels-idx1-ubyte" + suffix)
        try IDX.write(images, to: imagesFile)
        try IDX.write(labels, to: labelsFile)
        return try DatasetStore.read(.mnist, split: .train, images: imagesFile, labels: labelsFile)
    }

    private func path(_ directory: TemporaryDirectory, _ name: String) -> String {
        directory.url.appendingPathComponent(name).path
    }

    @Test("Well-formed small files read back exactly, gzip and raw", arguments: [true, false])
    func roundTrip(compressed: Bool) throws {
        let directory = try TemporaryDirectory()
        let pixels = (0..<5 * 6).map { UInt8($0 * 8) }
        let images = try read(images: IDX.images(count: 5, rows: 2, columns: 3, pixels: pixels),
                              labels: IDX.labels([3, 1, 4, 1, 5]), compressed: compressed, in: directory)
        #expect(images.count == 5 && images.rows == 2 && images.columns == 3)
        #expect(images.pixels == pixels && images.labels == [3, 1, 4, 1, 5])
        #expect(Array(images.image(1)) == [48, 56, 64, 72, 80, 88])
    }

    @Test("A truncated images file names the file and the shortfall", arguments: [true, false])
    func truncatedImages(compressed: Bool) throws {
        let directory = try TemporaryDirectory()
        let full = IDX.images(count: 4, rows: 3, columns: 3)
        let error = #expect(throws: DatasetError.self) {
            try read(images: Array(full.dropLast(5)), labels: IDX.labels([1, 2, 3, 4]), compressed: compressed, in: directory)
        }
        let name = path(directory, "train-images-idx3-ubyte" + (compressed ? ".gz" : ""))
        #expect(error == .truncated(file: name, detail: "the header declares 4 images of 3x3 (36 bytes) but only 31 bytes follow"))
        #expect(error?.description.hasPrefix("\(name): truncated: ") == true)
    }

    @Test("A file cut inside its header, or empty")
    func truncatedHeader() throws {
        let directory = try TemporaryDirectory()
        let short = #expect(throws: DatasetError.self) {
            try read(images: Array(IDX.images(count: 1, rows: 1, columns: 1).prefix(10)), labels: IDX.labels([1]), in: directory)
        }
        #expect(short == .truncated(file: path(directory, "train-images-idx3-ubyte.gz"), detail: "10 bytes, shorter than the 16-byte header"))
        let empty = #expect(throws: DatasetError.self) {
            try read(images: IDX.images(count: 1, rows: 1, columns: 1), labels: [], compressed: false, in: directory)
        }
        #expect(empty == .truncated(file: path(directory, "train-labels-idx1-ubyte"), detail: "0 bytes, shorter than the 4-byte IDX magic"))
    }

    @Test("Wrong magic: labels where images belong, and the reverse")
    func wrongMagic() throws {
        let directory = try TemporaryDirectory()
        let swapped = #expect(throws: DatasetError.self) {
            try read(images: IDX.labels([1, 2]), labels: IDX.labels([1, 2]), in: directory)
        }
        let name = path(directory, "train-images-idx3-ubyte.gz")
        #expect(swapped == .wrongMagic(file: name, found: 0x801, expected: 0x803))
        #expect(swapped?.description == "\(name): wrong magic 0x00000801, expected 0x00000803 (IDX uint8 images)")
        let labels = #expect(throws: DatasetError.self) {
            try read(images: IDX.images(count: 1, rows: 1, columns: 1), labels: IDX.labels([1], magic: 0x0000_0c01), in: directory)
        }
        #expect(labels == .wrongMagic(file: path(directory, "train-labels-idx1-ubyte.gz"), found: 0xc01, expected: 0x801))
    }

    @Test("A gzip file without .gz in its name is read raw, and the message says it looks gzipped")
    func gzipWithoutSuffix() throws {
        let directory = try TemporaryDirectory()
        let imagesFile = try directory.file("train-images-idx3-ubyte")
        try Data(IDX.gzip(IDX.images(count: 1, rows: 1, columns: 1))).write(to: imagesFile)
        let error = #expect(throws: DatasetError.self) { try IDXReader.readImages(imagesFile) }
        #expect(error?.description.contains("it looks gzip-compressed: name it .gz") == true)
    }

    @Test("Images and labels of different counts")
    func countMismatch() throws {
        let directory = try TemporaryDirectory()
        let error = #expect(throws: DatasetError.self) {
            try read(images: IDX.images(count: 3, rows: 2, columns: 2), labels: IDX.labels([1, 2]), in: directory)
        }
        let images = path(directory, "train-images-idx3-ubyte.gz"), labels = path(directory, "train-labels-idx1-ubyte.gz")
        #expect(error == .countMismatch(images: images, imageCount: 3, labels: labels, labelCount: 2))
        #expect(error?.description == "\(images) holds 3 images but \(labels) holds 2 labels")
    }

    @Test("Header problems: zero rows, zero images, bytes after the data")
    func malformed() throws {
        let directory = try TemporaryDirectory()
        let name = path(directory, "train-images-idx3-ubyte.gz")
        let zeroRows = #expect(throws: DatasetError.self) {
            try read(images: IDX.images(count: 2, rows: 0, columns: 28, pixels: []), labels: IDX.labels([1, 2]), in: directory)
        }
        #expect(zeroRows == .malformed(file: name, detail: "the header declares 0x28 images"))
        let zeroImages = #expect(throws: DatasetError.self) {
            try read(images: IDX.images(count: 0, rows: 28, columns: 28), labels: IDX.labels([]), in: directory)
        }
        #expect(zeroImages == .malformed(file: name, detail: "the header declares 0 images"))
        let extra = #expect(throws: DatasetError.self) {
            try read(images: IDX.images(count: 1, rows: 1, columns: 2) + [9, 9, 9], labels: IDX.labels([1]), in: directory)
        }
        #expect(extra == .malformed(file: name, detail: "3 unexpected bytes after the 1 images of 1x2 the header declares"))
        let labels = #expect(throws: DatasetError.self) {
            try read(images: IDX.images(count: 2, rows: 1, columns: 1), labels: IDX.labels([1], declaredCount: 2), in: directory)
        }
        #expect(labels == .truncated(file: path(directory, "train-labels-idx1-ubyte.gz"),
                                     detail: "the header declares 2 labels (2 bytes) but only 1 bytes follow"))
    }

    @Test("A .gz file that is not gzip")
    func notGzip() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.file("train-images-idx3-ubyte.gz")
        try Data(IDX.images(count: 1, rows: 1, columns: 1)).write(to: file)
        let error = #expect(throws: DatasetError.self) { try IDXReader.readImages(file) }
        #expect(error == .notGzip(file: file.path))
        #expect(error?.description == "\(file.path): not a gzip file (it does not start with the bytes 1f 8b)")
        try Data().write(to: file)
        #expect(throws: DatasetError.notGzip(file: file.path)) { try IDXReader.readImages(file) }
    }

    @Test("A damaged gzip stream, and one that ends early")
    func corruptGzip() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.file("train-images-idx3-ubyte.gz")
        let original = try IDX.gzip(IDX.images(count: 50, rows: 10, columns: 10))
        var damaged = original
        for offset in stride(from: 20, to: 60, by: 1) { damaged[offset] ^= 0x5a }
        try Data(damaged).write(to: file)
        let corrupt = #expect(throws: DatasetError.self) { try IDXReader.readImages(file) }
        guard case let .corruptGzip(name, detail)? = corrupt else {
            Issue.record("expected corruptGzip, got \(String(describing: corrupt))")
            return
        }
        #expect(name == file.path && !detail.isEmpty)
        #expect(corrupt?.description.hasPrefix("\(file.path): corrupt gzip stream: ") == true)

        try Data(original.prefix(original.count / 2)).write(to: file)
        #expect(throws: DatasetError.truncated(file: file.path, detail: "the file ends in the middle of the gzip stream")) {
            try IDXReader.readImages(file)
        }
        // Cut inside the 8-byte trailer: all data decoded, but the length check is missing.
        try Data(original.dropLast(3)).write(to: file)
        #expect(throws: DatasetError.truncated(file: file.path, detail: "the file ends in the middle of the gzip stream")) {
            try IDXReader.readImages(file)
        }
        // A wrong CRC-32 in the trailer.
        var badChecksum = original
        badChecksum[badChecksum.count - 8] ^= 0xff
        try Data(badChecksum).write(to: file)
        #expect(throws: DatasetError.corruptGzip(file: file.path, detail: "incorrect data check")) { try IDXReader.readImages(file) }
        // Garbage after a complete member.
        try Data(original + [1, 2, 3, 4]).write(to: file)
        #expect(throws: DatasetError.self) { try IDXReader.readImages(file) }
    }

    @Test("Two concatenated gzip members decode as one file, as gunzip does")
    func concatenatedMembers() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.file("train-labels-idx1-ubyte.gz")
        let whole = IDX.labels([1, 2, 3, 4, 5, 6])
        try Data(IDX.gzip(Array(whole.prefix(7))) + IDX.gzip(Array(whole.dropFirst(7)))).write(to: file)
        #expect(try IDXReader.readLabels(file) == [1, 2, 3, 4, 5, 6])
    }

    @Test("A missing or unreadable file")
    func missing() throws {
        let directory = try TemporaryDirectory()
        let file = directory.url.appendingPathComponent("nothing.gz")
        #expect(throws: DatasetError.unreadable(file: file.path, reason: "cannot open for reading")) { try IDXReader.readLabels(file) }
    }
}
