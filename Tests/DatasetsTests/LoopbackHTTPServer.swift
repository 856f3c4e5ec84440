import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 and an ephemeral port, for testing the downloader with
/// no network: it answers GET requests from a fixed table (anything else is a 404) and closes
/// each connection after one answer.
///
/// With `answering: false` it listens but never accepts: the kernel completes connections and
/// queues the requests, and no answer ever comes, which is how a stalled mirror looks.
final class LoopbackHTTPServer: @unchecked Sendable {
    // Safety: `listener`, `routes` and `answering` are immutable after init; `served` and
    // `stopped` are guarded by `lock`.
    struct Response: Sendable {
        var status: Int
        var body: [UInt8]
    }

    let port: UInt16
    private let listener: Int32
    private let routes: [String: Response]
    private let lock = NSLock()
    private var served: [String] = []
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)
    private let answering: Bool

    init(routes: [String: Response], answering: Bool = true) throws {
        self.routes = routes
        self.answering = answering
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw TestSetupError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(listener, generic, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, generic, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw TestSetupError("bind/listen on 127.0.0.1: \(String(cString: strerror(errno)))")
        }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        if answering {
            Thread { [self] in acceptLoop() }.start()
        } else {
            finished.signal()
        }
    }

    /// `http://127.0.0.1:PORT/prefix/`.
    func baseURL(_ prefix: String = "") -> URL {
        URL(string: "http://127.0.0.1:\(port)/" + (prefix.isEmpty ? "" : prefix + "/"))!
    }

    /// The paths requested so far, in order.
    var requestedPaths: [String] {
        lock.lock()
        defer { lock.unlock() }
        return served
    }

    /// Stops listening and waits for the accept loop to end.
    func stop() {
        lock.lock()
        let already = stopped
        stopped = true
        lock.unlock()
        if already { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        _ = finished.wait(timeout: .now() + 5)
    }

    private func acceptLoop() {
        defer { finished.signal() }
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            answer(connection)
            close(connection)
        }
    }

    /// Reads one request head and writes one response.
    private func answer(_ connection: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.contains(subsequence: [13, 10, 13, 10]) {
            let received = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if received <= 0 { return }
            request += buffer.prefix(received)
        }
        let firstLine = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self).split(separator: " ")
        let path = firstLine.count >= 2 ? String(firstLine[1]) : ""
        lock.lock()
        served.append(path)
        lock.unlock()
        let response = firstLine.first == "GET" ? routes[path] ?? Response(status: 404, body: Array("not found\n".utf8))
                                                : Response(status: 405, body: [])
        let reason = [200: "OK", 404: "Not Found", 405: "Method Not Allowed"][response.status] ?? "Error"
        let head = "HTTP/1.1 \(response.status) \(reason)\r\nContent-Length: \(response.body.count)\r\n"
            + "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
        send(all: Array(head.utf8) + response.body, to: connection)
    }

    private func send(all bytes: [UInt8], to connection: Int32) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(connection, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    deinit { stop() }
}

extension Array where Element == UInt8 {
    fileprivate func contains(subsequence: [UInt8]) -> Bool {
        guard count >= subsequence.count else { return false }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<$0 + subsequence.count]) == subsequence }
    }
}
