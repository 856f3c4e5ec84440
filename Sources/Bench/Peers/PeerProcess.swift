import Foundation

/// A peer script that serves requests in a process of its own: after its warm-up it prints one
/// JSON `ready` line, then answers each request line on its input with one JSON line, until
/// `quit` (`training_peer.py`: `epoch`; `umap_peer.py --serve`: `run START:END`). One process
/// per case (or per workload, in a `PeerProcessPool`), so that a library's start-up and
/// compilation are paid once, untimed. A peer that
/// dies is an error of its requests; for that, the first one started makes this process ignore
/// SIGPIPE.
public final class PeerProcess {
    /// The script's ready line (its versions, threads).
    public let ready: [String: Any]
    private let process = Process()
    private let input = Pipe(), output = Pipe()
    private var buffered = Data()
    private let peer: String

    /// The peer's process, whose CPU time is the peer's own.
    public var processIdentifier: Int32 { process.processIdentifier }

    /// Starts `python script arguments` and waits for its ready line.
    /// - Parameter peer: the peer's name in errors.
    public init(python: String, script: URL, arguments: [String], peer: String) throws {
        // A request to a peer that has died must be an error, not the end of this process:
        // writing to its closed pipe raises SIGPIPE, whose default action kills the writer.
        Self.ignoreBrokenPipes
        self.peer = peer
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path] + arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        do {
            try process.run()
        } catch {
            throw BenchError("\(peer): cannot start \(python): \(error)")
        }
        var pending = Data()
        let first = try Self.readJSON(from: output.fileHandleForReading, buffered: &pending, peer: peer)
        guard first["ready"] as? Bool == true else {
            process.terminate()
            throw BenchError("\(peer): no ready line")
        }
        ready = first
        buffered = pending
    }

    /// Ignores SIGPIPE for the whole process, once: then a write to a closed pipe fails with
    /// EPIPE, which `request` reports.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// Sends one request line and returns the answer.
    public func request(_ line: String) throws -> [String: Any] {
        do {
            try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
        } catch {
            throw BenchError("\(peer): its process ended (its errors are above)")
        }
        return try Self.readJSON(from: output.fileHandleForReading, buffered: &buffered, peer: peer)
    }

    /// A request whose answer is `{"seconds": ...}`: those seconds.
    public func seconds(for line: String) throws -> Double {
        guard let seconds = try request(line)["seconds"] as? Double else { throw BenchError("\(peer): no seconds in its answer") }
        return seconds
    }

    /// Asks the script to quit, and ends it if it has not within ten seconds (Foundation's
    /// `waitUntilExit` can hang on Linux, so it is polled).
    public func stop() {
        try? input.fileHandleForWriting.write(contentsOf: Data("quit\n".utf8))
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
    }

    /// The next line of the script's output, as a JSON object.
    private static func readJSON(from output: FileHandle, buffered: inout Data, peer: String) throws -> [String: Any] {
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffered[buffered.startIndex..<newline]
                buffered = Data(buffered[buffered.index(after: newline)...])
                guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else {
                    throw BenchError("\(peer): not a JSON line: \(String(decoding: line, as: UTF8.self))")
                }
                return object
            }
            let chunk = output.availableData
            guard !chunk.isEmpty else { throw BenchError("\(peer): its process ended (its errors are above)") }
            buffered.append(chunk)
        }
    }
}
