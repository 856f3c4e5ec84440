import Datasets
import Foundation

/// Where the tests find the real MNIST and Fashion-MNIST files, one definition for every test
/// target: `SIGNET_DATA` (a relative path from the working directory, else from the package root,
/// as CI sets `../shared/data`), else `../shared/data` beside the package.
public enum SharedTestData {
    /// The package's root folder, from this file's place in it (`Tests/SharedTestData/`).
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The data folder.
    public static var directory: URL {
        guard let custom = ProcessInfo.processInfo.environment["SIGNET_DATA"], !custom.isEmpty else {
            return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data", isDirectory: true)
        }
        if custom.hasPrefix("/") { return URL(fileURLWithPath: custom, isDirectory: true) }
        let fromWorkingDirectory = URL(fileURLWithPath: custom, isDirectory: true)
        if FileManager.default.fileExists(atPath: fromWorkingDirectory.path) { return fromWorkingDirectory.standardizedFileURL }
        return packageRoot.appendingPathComponent(custom, isDirectory: true).standardizedFileURL
    }

    /// A store that reads only the shared data and never downloads.
    public static func store() -> DatasetStore {
        DatasetStore(dataDirectory: directory, environment: [:],
                     cacheDirectory: URL(fileURLWithPath: "/nonexistent/signet-cache"), downloader: nil)
    }
}
