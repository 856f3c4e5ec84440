import Foundation

/// How a folder holds a dataset's files: each under its published gzip name or, unpacked,
/// under that name without `.gz`.
enum DatasetFiles {
    /// The file for the published name `name` (`train-images-idx3-ubyte.gz`) in `directory`:
    /// the gzip file if present, else the raw one, else nil.
    static func find(_ name: String, in directory: URL) -> URL? {
        var candidates = [name]
        if name.hasSuffix(".gz") { candidates.append(String(name.dropLast(3))) }
        for candidate in candidates {
            let url = directory.appendingPathComponent(candidate)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return url
            }
        }
        return nil
    }

    /// True when `directory` holds all four files of a dataset.
    static func complete(_ directory: URL) -> Bool {
        DatasetName.fileNames.allSatisfy { find($0, in: directory) != nil }
    }
}
