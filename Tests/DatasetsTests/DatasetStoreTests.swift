@testable import Datasets
import Foundation
import Testing

@Suite("Finding, downloading and loading a dataset's files")
struct DatasetStoreTests {
    @Test("Missing files with no downloader: the message lists every folder searched")
    func missingFiles() throws {
        let directory = try TemporaryDirectory()
        let environment = directory.url.appendingPathComponent("env")
        let cache = directory.url.appendingPathComponent("cache")
        let store = DatasetStore(environment: ["SIGNET_DATA": environment.path], cacheDirectory: cache, downloader: nil)
        let searched = [environment.appendingPathComponent("fashion-mnist").path, cache.appendingPathComponent("fashion-mnist").path]
        let error = #expect(throws: DatasetError.self) { try store.load(.fashionMNIST, split: .test) }
        #expect(error == .filesNotFound(dataset: .fashionMNIST, searched: searched))
        #expect(error?.description == "fashion-mnist files not found and not downloaded; looked in: " + searched.joined(separator: ", "))
    }

    @Test("An explicit folder is the only place searched: no fallback, no download")
    func explicitFolderIsFinal() throws {
        let directory = try TemporaryDirectory()
        let explicit = directory.url.appendingPathComponent("data")
        let environment = directory.url.appendingPathComponent("env")
        try IDX.writeDataset(in: environment.appendingPathComponent("mnist"), trainCount: 12)
        let store = DatasetStore(dataDirectory: explicit, environment: ["SIGNET_DATA": environment.path],
                                 cacheDirectory: directory.url.appendingPathComponent("cache"), downloader: .standard)
        let searched = [explicit.appendingPathComponent("mnist").path, explicit.path]
        let error = #expect(throws: DatasetError.self) { try store.load(.mnist, split: .train) }
        #expect(error == .filesNotFound(dataset: .mnist, searched: searched))
    }

    @Test("Search order: explicit folder, else SIGNET_DATA, then the cache; raw files count")
    func searchOrder() throws {
        let directory = try TemporaryDirectory()
        let explicit = directory.url.appendingPathComponent("data")
        let environment = directory.url.appendingPathComponent("env")
        let cache = directory.url.appendingPathComponent("cache")
        try IDX.writeDataset(in: cache.appendingPathComponent("mnist"), trainCount: 11)
        try IDX.writeDataset(in: environment.appendingPathComponent("mnist"), trainCount: 12, compressed: false)
        try IDX.writeDataset(in: explicit.appendingPathComponent("mnist"), trainCount: 13)
        func store(_ data: URL?, _ env: URL?) -> DatasetStore {
            DatasetStore(dataDirectory: data, environment: env.map { ["SIGNET_DATA": $0.path] } ?? [:],
                         cacheDirectory: cache, downloader: nil)
        }
        #expect(try store(explicit, environment).load(.mnist, split: .train).count == 13)
        #expect(try store(nil, environment).load(.mnist, split: .train).count == 12)
        #expect(try store(nil, nil).load(.mnist, split: .train).count == 11)
        // The explicit folder may hold the files directly.
        #expect(try store(explicit.appendingPathComponent("mnist"), nil).load(.mnist, split: .test).count == 10)
    }

    @Test("Default cache: SIGNET_CACHE_DIR/datasets, else ~/.cache/signet/datasets")
    func defaultCache() {
        #expect(DatasetStore.defaultCacheDirectory(environment: ["SIGNET_CACHE_DIR": "/tmp/c"]).path == "/tmp/c/datasets")
        #expect(DatasetStore.defaultCacheDirectory(environment: ["HOME": "/home/x"]).path == "/home/x/.cache/signet/datasets")
        #expect(DatasetStore(environment: ["HOME": "/home/x"], downloader: nil).cacheDirectory.path == "/home/x/.cache/signet/datasets")
    }

    @Test("Files nowhere: downloaded from the mirror into the cache, then loaded")
    func downloadIntoCache() throws {
        let source = try TemporaryDirectory()
        try IDX.writeDataset(in: source.url, trainCount: 20, testCount: 10, rows: 28, columns: 28)
        var routes: [String: LoopbackHTTPServer.Response] = [:]
        var checksums: [String: String] = [:]
        for name in DatasetName.fileNames {
            let body = Array(try Data(contentsOf: source.url.appendingPathComponent(name)))
            routes["/fashion/\(name)"] = .init(status: 200, body: body)
            checksums[name] = SHA256.hash(body).hexString
        }
        let server = try LoopbackHTTPServer(routes: routes)
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let cache = directory.url.appendingPathComponent("cache")
        let downloader = Downloader(mirrors: [.fashionMNIST: [server.baseURL("fashion")]], checksums: [.fashionMNIST: checksums],
                                    idleTimeout: 2, totalTimeout: 5)
        let store = DatasetStore(environment: [:], cacheDirectory: cache, downloader: downloader)
        let train = try store.load(.fashionMNIST, split: .train)
        #expect(train.count == 20 && train.rows == 28 && train.dataset == .fashionMNIST)
        #expect(try directory.contents(of: "cache/fashion-mnist") == DatasetName.fileNames.sorted())
        #expect(server.requestedPaths.count == 4)
        // A second load finds the cache and asks the server nothing.
        #expect(try store.load(.fashionMNIST, split: .test).count == 10)
        #expect(server.requestedPaths.count == 4)
        // Only the missing file is fetched again.
        try FileManager.default.removeItem(at: cache.appendingPathComponent("fashion-mnist/t10k-labels-idx1-ubyte.gz"))
        #expect(try store.load(.fashionMNIST, split: .test).labels.count == 10)
        #expect(server.requestedPaths.last == "/fashion/t10k-labels-idx1-ubyte.gz" && server.requestedPaths.count == 5)
    }
}
