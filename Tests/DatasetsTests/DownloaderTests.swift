@testable import Datasets
import Foundation
import Testing

/// The downloader against a server the test runs itself on 127.0.0.1: no network needed.
@Suite("Downloads from mirrors")
struct DownloaderTests {
    private let name = "train-labels-idx1-ubyte.gz"

    private func downloader(_ mirrors: [URL], expecting body: [UInt8]) -> Downloader {
        Downloader(mirrors: [.mnist: mirrors], checksums: [.mnist: [name: SHA256.hash(body).hexString]],
                   idleTimeout: 2, totalTimeout: 5)
    }

    @Test("A good mirror: the file arrives whole, checked, with no temporary file left")
    func success() throws {
        let body = try IDX.gzip(IDX.labels([5, 0, 4, 1, 9]))
        let server = try LoopbackHTTPServer(routes: ["/mnist/\(name)": .init(status: 200, body: body)])
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let target = directory.url.appendingPathComponent("cache/mnist")
        let stored = try downloader([server.baseURL("mnist")], expecting: body).download(file: name, of: .mnist, into: target)
        #expect(stored == target.appendingPathComponent(name))
        #expect(Array(try Data(contentsOf: stored)) == body)
        #expect(try directory.contents(of: "cache/mnist") == [name])
        #expect(try IDXReader.readLabels(stored) == [5, 0, 4, 1, 9])
        #expect(server.requestedPaths == ["/mnist/\(name)"])
    }

    @Test("A checksum mismatch deletes the partial file and says so")
    func checksumMismatch() throws {
        let good = try IDX.gzip(IDX.labels([1, 2, 3]))
        let bad = try IDX.gzip(IDX.labels([1, 2, 4]))
        let server = try LoopbackHTTPServer(routes: ["/\(name)": .init(status: 200, body: bad)])
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let error = #expect(throws: DatasetError.self) {
            try downloader([server.baseURL()], expecting: good).download(file: name, of: .mnist, into: directory.url)
        }
        let url = server.baseURL().appendingPathComponent(name).absoluteString
        let expected = SHA256.hash(good).hexString, actual = SHA256.hash(bad).hexString
        #expect(error == .downloadFailed(file: "mnist/\(name)", failures: [
            DownloadFailure(url: url, reason: .checksumMismatch(expected: expected, actual: actual)),
        ]))
        #expect(error?.description == "could not download mnist/\(name): \(url): SHA-256 mismatch (expected \(expected), got \(actual)); the partial file was deleted")
        #expect(try directory.contents() == [])
    }

    @Test("A 404 falls through to the next mirror")
    func fallThrough() throws {
        let body = try IDX.gzip(IDX.labels([7, 7]))
        let server = try LoopbackHTTPServer(routes: ["/second/\(name)": .init(status: 200, body: body)])
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let loader = downloader([server.baseURL("first"), server.baseURL("second")], expecting: body)
        let stored = try loader.download(file: name, of: .mnist, into: directory.url)
        #expect(Array(try Data(contentsOf: stored)) == body)
        #expect(server.requestedPaths == ["/first/\(name)", "/second/\(name)"])
        #expect(try directory.contents() == [name])
    }

    @Test("Every mirror failing: one error listing each mirror's reason")
    func allFail() throws {
        let body = try IDX.gzip(IDX.labels([1]))
        let server = try LoopbackHTTPServer(routes: [:])
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let refused = URL(string: "http://127.0.0.1:1/")!
        let error = #expect(throws: DatasetError.self) {
            try downloader([server.baseURL("gone"), refused], expecting: body).download(file: name, of: .mnist, into: directory.url)
        }
        guard case let .downloadFailed(file, failures)? = error else {
            Issue.record("expected downloadFailed, got \(String(describing: error))")
            return
        }
        #expect(file == "mnist/\(name)")
        #expect(failures.count == 2)
        #expect(failures.first == DownloadFailure(url: server.baseURL("gone").appendingPathComponent(name).absoluteString, reason: .httpStatus(404)))
        if case .transport = failures.last?.reason {} else { Issue.record("expected a transport failure, got \(failures)") }
        #expect(error?.description.hasPrefix("could not download mnist/\(name): http://127.0.0.1:\(server.port)/gone/\(name): HTTP 404; http://127.0.0.1:1/\(name): ") == true)
        #expect(try directory.contents() == [])
    }

    @Test("A mirror that never answers is given up on, and the next one tried")
    func stalledMirror() throws {
        let body = try IDX.gzip(IDX.labels([1]))
        let silent = try LoopbackHTTPServer(routes: [:], answering: false)
        defer { silent.stop() }
        let directory = try TemporaryDirectory()
        var loader = downloader([silent.baseURL()], expecting: body)
        loader.idleTimeout = 1
        loader.totalTimeout = 3
        let error = #expect(throws: DatasetError.self) { try loader.download(file: name, of: .mnist, into: directory.url) }
        guard case let .downloadFailed(_, failures)? = error, let reason = failures.first?.reason,
              case .timedOut = reason else {
            Issue.record("expected a time-out, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("no complete answer within") == true)

        let good = try LoopbackHTTPServer(routes: ["/\(name)": .init(status: 200, body: body)])
        defer { good.stop() }
        loader.mirrors[.mnist] = [silent.baseURL(), good.baseURL()]
        let stored = try loader.download(file: name, of: .mnist, into: directory.url)
        #expect(Array(try Data(contentsOf: stored)) == body)
        #expect(try directory.contents() == [name])
    }

    @Test("A file with no known checksum is never downloaded")
    func noChecksum() throws {
        let directory = try TemporaryDirectory()
        let loader = Downloader(mirrors: [.mnist: [URL(string: "http://127.0.0.1:1/")!]], checksums: [:])
        #expect(throws: DatasetError.downloadFailed(file: "mnist/\(name)", failures: [])) {
            try loader.download(file: name, of: .mnist, into: directory.url)
        }
    }

    @Test("The standard downloader knows all eight published checksums")
    func standardChecksums() {
        for dataset in DatasetName.allCases {
            #expect(Set(Downloader.standard.checksums[dataset]?.keys.map { $0 } ?? []) == Set(DatasetName.fileNames))
            #expect(Downloader.standard.mirrors[dataset]?.isEmpty == false)
        }
        #expect(Downloader.standard.mirrors[.mnist]?.first?.absoluteString == "https://storage.googleapis.com/cvdf-datasets/mnist/")
    }
}
