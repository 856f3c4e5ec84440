/// Why a dataset could not be found, read, downloaded or cut into examples.
///
/// Every case names the file (or the digit, or the text) it is about, and its description is
/// one line a person can act on: the CLI prints it as is.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    /// A file could not be opened or read at all.
    case unreadable(file: String, reason: String)
    /// A file ends before the data its header announces (or before its header does).
    case truncated(file: String, detail: String)
    /// A file's first four bytes are not the IDX magic expected for it.
    case wrongMagic(file: String, found: UInt32, expected: UInt32)
    /// An IDX header or body that is the wrong shape: zero rows, bytes after the data ...
    case malformed(file: String, detail: String)
    /// The images file and the labels file of one split disagree on how many items they hold.
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    /// A `.gz` file that does not start with the gzip magic bytes 1f 8b.
    case notGzip(file: String)
    /// A gzip file whose compressed stream is damaged or ends early.
    case corruptGzip(file: String, detail: String)
    /// The dataset's files are in none of the places searched, and downloading is off.
    case filesNotFound(dataset: DatasetName, searched: [String])
    /// Every mirror failed for one file; `failures` says why, mirror by mirror.
    case downloadFailed(file: String, failures: [DownloadFailure])
    /// The download folder could not be created or written.
    case cacheUnwritable(directory: String, reason: String)
    /// A subset asked for something the split cannot give (see the message).
    case invalidSubset(String)
    /// A digit list (`1,7`, `0-9`) that cannot be parsed.
    case invalidDigitList(text: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read: \(reason)"
        case let .truncated(file, detail):
            return "\(file): truncated: \(detail)"
        case let .wrongMagic(file, found, expected):
            // A gzip file saved without its .gz suffix is the likely mistake behind 0x1f8b....
            let hint = found >> 16 == 0x1f8b ? "; it looks gzip-compressed: name it .gz" : ""
            return "\(file): wrong magic \(hex(found)), expected \(hex(expected)) (\(IDXKind.describe(magic: expected)))\(hint)"
        case let .malformed(file, detail):
            return "\(file): \(detail)"
        case let .countMismatch(images, imageCount, labels, labelCount):
            return "\(images) holds \(imageCount) images but \(labels) holds \(labelCount) labels"
        case let .notGzip(file):
            return "\(file): not a gzip file (it does not start with the bytes 1f 8b)"
        case let .corruptGzip(file, detail):
            return "\(file): corrupt gzip stream: \(detail)"
        case let .filesNotFound(dataset, searched):
            return "\(dataset.rawValue) files not found and not downloaded; looked in: \(searched.joined(separator: ", "))"
        case let .downloadFailed(file, failures):
            let reasons = failures.isEmpty ? "no mirror or no checksum is configured for it" : failures.map(\.description).joined(separator: "; ")
            return "could not download \(file): \(reasons)"
        case let .cacheUnwritable(directory, reason):
            return "cannot write to the dataset cache \(directory): \(reason)"
        case let .invalidSubset(message):
            return message
        case let .invalidDigitList(text, reason):
            return "invalid digit list '\(text)': \(reason)"
        }
    }
}

/// `0x00000803`: the way the IDX documentation writes magic numbers.
private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
