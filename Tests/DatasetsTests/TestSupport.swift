import CZlib
@testable import Datasets
import Foundation
import SharedTestData
import Testing

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The real data folder (`SharedTestData`).
func sharedDataDirectory() -> URL { SharedTestData.directory }

/// A store that reads only the shared data and never downloads.
func sharedStore() -> DatasetStore { SharedTestData.store() }

/// Each real split loaded once per test process: decoding 47 MB is the slow part.
enum RealData {
    static let mnistTrain = Result { try sharedStore().load(.mnist, split: .train) }
    static let mnistTest = Result { try sharedStore().load(.mnist, split: .test) }
    static let fashionTrain = Result { try sharedStore().load(.fashionMNIST, split: .train) }
    static let fashionTest = Result { try sharedStore().load(.fashionMNIST, split: .test) }
}

/// A fresh folder under the system's temporary directory, removed when the value is dropped.
final class TemporaryDirectory: @unchecked Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("signet-datasets-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// `name` inside the folder (folders in it are created).
    func file(_ name: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        return file
    }

    /// The names of the files in `folder` (relative to this directory), hidden ones included.
    func contents(of folder: String = "") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.appendingPathComponent(folder).path).sorted()
    }
}

/// Small IDX files made on the spot.
enum IDX {
    /// An images file body: magic 0x803, count, rows, columns, then the pixels.
    static func images(count: Int, rows: Int, columns: Int, pixels: [UInt8]? = nil, magic: UInt32 = 0x803) -> [UInt8] {
        let body = pixels ?? (0..<count * rows * columns).map { UInt8(truncatingIfNeeded: $0 * 7) }
        return word(magic) + word(UInt32(count)) + word(UInt32(rows)) + word(UInt32(columns)) + body
    }

    /// A labels file body: magic 0x801, count, then the labels.
    static func labels(_ labels: [UInt8], magic: UInt32 = 0x801, declaredCount: Int? = nil) -> [UInt8] {
        word(magic) + word(UInt32(declaredCount ?? labels.count)) + labels
    }

    static func word(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    /// `bytes` gzip-compressed (through zlib's gz* file interface).
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let directory = try TemporaryDirectory()
        let file = try directory.file("x.gz")
        guard let handle = gzopen(file.path, "wb") else { throw TestSetupError("gzopen failed") }
        let written = bytes.withUnsafeBytes { gzwrite(handle, $0.baseAddress, UInt32($0.count)) }
        guard gzclose(handle) == Z_OK, written == Int32(bytes.count) else { throw TestSetupError("gzwrite failed") }
        return Array(try Data(contentsOf: file))
    }

    /// Writes `bytes` to `url`, gzip-compressed when the name ends in `.gz`.
    static func write(_ bytes: [UInt8], to url: URL) throws {
        let stored = url.pathExtension == "gz" ? try gzip(bytes) : bytes
        try Data(stored).write(to: url)
    }

    /// A complete little dataset folder: all four files, `trainCount` and `testCount` images of
    /// `rows x columns` with labels cycling 0-9.
    static func writeDataset(in folder: URL, trainCount: Int = 30, testCount: Int = 10, rows: Int = 4, columns: Int = 3,
                             compressed: Bool = true) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (split, count) in [(Split.train, trainCount), (.test, testCount)] {
            func stored(_ published: String) -> URL {
                folder.appendingPathComponent(compressed ? published : String(published.dropLast(3)))
            }
            let images = stored(split.imagesFileName), labels = stored(split.labelsFileName)
            try write(IDX.images(count: count, rows: rows, columns: columns), to: images)
            try write(IDX.labels((0..<count).map { UInt8($0 % 10) }), to: labels)
        }
    }
}
