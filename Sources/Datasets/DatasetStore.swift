import Foundation

/// Where the files are found (and downloaded to).
///
/// A dataset's four files are looked for, in order:
/// 1. in the explicit data directory (the CLI's `--data DIR`): first in its `mnist/` or
///    `fashion-mnist/` subfolder, then in `DIR` itself, so `DIR` may be either the folder that
///    holds the dataset folders or a dataset folder (one named after the *other* dataset is
///    skipped, so `--data data/mnist` never serves MNIST as Fashion-MNIST);
/// 2. in the `mnist/` or `fashion-mnist/` subfolder of `$SIGNET_DATA`;
/// 3. in the download cache, `<cache>/mnist` or `<cache>/fashion-mnist`.
///
/// The first folder holding all four (each gzip or raw) wins. If none does, the missing files
/// are downloaded into the cache folder, unless the store has no downloader.
public struct DatasetStore: Sendable {
    /// The explicit data directory, if one was given.
    public let dataDirectory: URL?
    /// `$SIGNET_DATA`, if set.
    public let environmentDirectory: URL?
    /// The folder downloads go to (holding `mnist/` and `fashion-mnist/`).
    public let cacheDirectory: URL
    /// What fetches missing files; nil never downloads.
    public let downloader: Downloader?

    /// - Parameters:
    ///   - dataDirectory: searched first; a dataset folder or a folder of dataset folders.
    ///   - environment: where `SIGNET_DATA`, `SIGNET_CACHE_DIR` and `HOME` are read.
    ///   - cacheDirectory: the download folder; by default `$SIGNET_CACHE_DIR/datasets`, else
    ///     `~/.cache/signet/datasets`.
    ///   - downloader: fetches missing files; nil makes missing files an error.
    public init(dataDirectory: URL? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                cacheDirectory: URL? = nil, downloader: Downloader? = .standard) {
        self.dataDirectory = dataDirectory
        if let data = environment["SIGNET_DATA"], !data.isEmpty {
            environmentDirectory = URL(fileURLWithPath: data, isDirectory: true)
        } else {
            environmentDirectory = nil
        }
        self.cacheDirectory = cacheDirectory ?? DatasetStore.defaultCacheDirectory(environment: environment)
        self.downloader = downloader
    }

    /// `$SIGNET_CACHE_DIR/datasets`, else `~/.cache/signet/datasets` (the kernel cache's sibling).
    public static func defaultCacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let root: URL
        if let custom = environment["SIGNET_CACHE_DIR"], !custom.isEmpty {
            root = URL(fileURLWithPath: custom, isDirectory: true)
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
                ?? FileManager.default.homeDirectoryForCurrentUser
            root = home.appendingPathComponent(".cache/signet", isDirectory: true)
        }
        return root.appendingPathComponent("datasets", isDirectory: true)
    }

    /// The folders searched for `dataset`, in order. An explicit data directory is the only
    /// place searched: a user who names a folder means that folder, and a typo must not
    /// silently load other files or start a download.
    public func searchPath(for dataset: DatasetName) -> [URL] {
        var folders: [URL] = []
        if let dataDirectory {
            folders.append(dataDirectory.appendingPathComponent(dataset.folderName, isDirectory: true))
            let others = DatasetName.allCases.filter { $0 != dataset }.map(\.folderName)
            if !others.contains(dataDirectory.standardizedFileURL.lastPathComponent) { folders.append(dataDirectory) }
            return folders
        }
        if let environmentDirectory {
            folders.append(environmentDirectory.appendingPathComponent(dataset.folderName, isDirectory: true))
        }
        folders.append(cacheFolder(for: dataset))
        return folders
    }

    /// The folder holding the four files of `dataset`, downloading them first if allowed.
    ///
    /// - Throws: `DatasetError.filesNotFound` (listing every folder searched) when the files are
    ///   nowhere and the store may not download (no downloader, or an explicit data directory);
    ///   the downloader's errors otherwise.
    public func locate(_ dataset: DatasetName) throws -> URL {
        let folders = searchPath(for: dataset)
        if let found = folders.first(where: DatasetFiles.complete) { return found }
        guard let downloader, dataDirectory == nil else {
            throw DatasetError.filesNotFound(dataset: dataset, searched: folders.map(\.path))
        }
        let target = cacheFolder(for: dataset)
        try downloader.download(dataset, into: target)
        return target
    }

    /// Reads one split, checking both files and that they agree.
    ///
    /// - Throws: `DatasetError` naming the file and the problem: missing, unreadable,
    ///   truncated, wrong magic, not gzip, corrupt, or images and labels of different counts.
    public func load(_ dataset: DatasetName, split: Split) throws -> LabeledImages {
        let folder = try locate(dataset)
        let imagesFile = try file(split.imagesFileName, in: folder)
        let labelsFile = try file(split.labelsFileName, in: folder)
        return try DatasetStore.read(dataset, split: split, images: imagesFile, labels: labelsFile)
    }

    /// Reads an images file and a labels file as one split of `dataset`.
    public static func read(_ dataset: DatasetName, split: Split, images imagesFile: URL, labels labelsFile: URL) throws -> LabeledImages {
        let images = try IDXReader.readImages(imagesFile)
        let labels = try IDXReader.readLabels(labelsFile)
        guard images.count == labels.count else {
            throw DatasetError.countMismatch(images: imagesFile.path, imageCount: images.count,
                                             labels: labelsFile.path, labelCount: labels.count)
        }
        return LabeledImages(dataset: dataset, split: split, rows: images.rows, columns: images.columns,
                             pixels: images.pixels, labels: labels)
    }

    private func cacheFolder(for dataset: DatasetName) -> URL {
        cacheDirectory.appendingPathComponent(dataset.folderName, isDirectory: true)
    }

    /// A file of a located folder; it was there a moment ago, but may have gone since.
    private func file(_ name: String, in folder: URL) throws -> URL {
        guard let url = DatasetFiles.find(name, in: folder) else {
            throw DatasetError.unreadable(file: folder.appendingPathComponent(name).path, reason: "no such file")
        }
        return url
    }
}
