import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Fetches dataset files from public mirrors and stores them only once their SHA-256 matches.
///
/// Mirrors are tried in order for each file; the first that delivers the right bytes wins.
/// A file is written under a temporary name in the destination folder, hashed, and renamed
/// into place (an atomic step), so a reader never sees half a file and a failed or corrupt
/// download leaves nothing behind. Mirrors and checksums are plain values, so tests can point
/// a downloader at a server of their own.
public struct Downloader: Sendable {
    /// Base addresses per dataset, tried in order; a file's address is base + file name.
    public var mirrors: [DatasetName: [URL]]
    /// Expected SHA-256 (64 lowercase hex digits) per dataset and file name. A file without
    /// one is never downloaded: unverified bytes would be trusted forever after.
    public var checksums: [DatasetName: [String: String]]
    /// Seconds to wait for each piece of an answer before giving up on a mirror.
    public var idleTimeout: Double
    /// Seconds one file may take in all before giving up on a mirror.
    public var totalTimeout: Double
    /// Told each address before it is tried ("downloading https://..."), e.g. to print it.
    public var progress: (@Sendable (String) -> Void)?

    public init(mirrors: [DatasetName: [URL]], checksums: [DatasetName: [String: String]],
                idleTimeout: Double = 30, totalTimeout: Double = 600,
                progress: (@Sendable (String) -> Void)? = nil) {
        self.mirrors = mirrors
        self.checksums = checksums
        self.idleTimeout = idleTimeout
        self.totalTimeout = totalTimeout
        self.progress = progress
    }

    /// Downloads each of `files` that `directory` does not hold yet (gzip or raw), creating
    /// the folder if needed.
    public func download(_ dataset: DatasetName, into directory: URL,
                         files: [String] = DatasetName.fileNames) throws {
        for name in files where DatasetFiles.find(name, in: directory) == nil {
            _ = try download(file: name, of: dataset, into: directory)
        }
    }

    /// Downloads one file into `directory`, trying every mirror in turn.
    ///
    /// - Returns: the stored file.
    /// - Throws: `DatasetError.downloadFailed` with each mirror's failure when none delivers
    ///   bytes with the expected checksum; `DatasetError.cacheUnwritable` when the folder
    ///   cannot be made.
    public func download(file name: String, of dataset: DatasetName, into directory: URL) throws -> URL {
        let label = "\(dataset.folderName)/\(name)"
        guard let expected = checksums[dataset]?[name]?.lowercased(), let bases = mirrors[dataset], !bases.isEmpty else {
            throw DatasetError.downloadFailed(file: label, failures: [])
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw DatasetError.cacheUnwritable(directory: directory.path, reason: error.localizedDescription)
        }
        let destination = directory.appendingPathComponent(name)
        var failures: [DownloadFailure] = []
        for base in bases {
            let url = base.appendingPathComponent(name)
            progress?("downloading \(url.absoluteString)")
            if let reason = fetch(url, expecting: expected, to: destination) {
                failures.append(DownloadFailure(url: url.absoluteString, reason: reason))
            } else {
                return destination
            }
        }
        throw DatasetError.downloadFailed(file: label, failures: failures)
    }

    /// One mirror: download beside `destination`, verify, rename into place.
    private func fetch(_ url: URL, expecting expected: String, to destination: URL) -> DownloadFailure.Reason? {
        // Unique per process and attempt, so concurrent runs never write the same partial file.
        let partial = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).partial")
        defer { try? FileManager.default.removeItem(at: partial) }
        if let reason = HTTPFetch.fetch(url, to: partial, idleTimeout: idleTimeout, totalTimeout: totalTimeout) {
            return reason
        }
        let actual: String
        do { actual = try SHA256.hash(fileAt: partial).hexString } catch {
            return .cannotStore("\(error)")
        }
        guard actual == expected else { return .checksumMismatch(expected: expected, actual: actual) }
        // rename(2) replaces the destination atomically; FileManager.moveItem refuses to replace.
        guard rename(partial.path, destination.path) == 0 else {
            return .cannotStore("cannot rename into \(destination.path): \(String(cString: strerror(errno)))")
        }
        return nil
    }
}
