import Foundation

/// PyTorch or Keras training the same network on the same data in a process of its own, driven
/// by `Benchmarks/peers/training_peer.py`: after its warm-up epoch it prints a `ready` line,
/// then answers each `epoch` line on its input with one JSON line giving that epoch's seconds.
public final class TrainingPeerProcess {
    /// The peer library.
    public enum Framework: String, CaseIterable, Sendable {
        case torch, keras

        public var displayName: String { self == .torch ? "PyTorch" : "Keras" }
    }

    /// `PyTorch 2.5.1, 2 threads`, from the peer's ready line.
    public let name: String
    private let process = Process()
    private let input = Pipe(), output = Pipe()
    private var buffered = Data()

    /// The peer's process, whose CPU time is the peer's own.
    public var processIdentifier: Int32 { process.processIdentifier }

    /// Starts the script and waits for its `ready` line (after its warm-up epoch).
    /// - Parameter trainingCase: the script's case: `mlp-32`, `mlp-128` or `cnn-128`.
    public init(_ framework: Framework, case trainingCase: String, python: String, script: URL, data folder: String,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, "--framework", framework.rawValue, "--case", trainingCase, "--data", folder,
                             "--threads", String(threads)]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        var pending = Data()
        let ready = try Self.readJSON(from: output.fileHandleForReading, buffered: &pending, peer: framework.rawValue)
        guard ready["ready"] as? Bool == true else {
            process.terminate()
            throw BenchError("\(framework.rawValue) peer: no ready line")
        }
        name = "\(framework.displayName) \(ready["version"] as? String ?? "?"), \(ready["threads"] as? Int ?? 0) threads"
        buffered = pending
    }

    /// Trains one more epoch: its seconds by the peer's clock.
    public func trainEpoch() throws -> Double {
        input.fileHandleForWriting.write(Data("epoch\n".utf8))
        guard let seconds = try Self.readJSON(from: output.fileHandleForReading, buffered: &buffered, peer: name)["seconds"] as? Double else {
            throw BenchError("\(name): no seconds in its answer")
        }
        return seconds
    }

    /// Asks the script to quit, and ends it if it has not within ten seconds (Foundation's
    /// `waitUntilExit` can hang on Linux, so it is polled).
    public func stop() {
        input.fileHandleForWriting.write(Data("quit\n".utf8))
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
                    throw BenchError("\(peer) peer: not a JSON line: \(String(decoding: line, as: UTF8.self))")
                }
                return object
            }
            let chunk = output.availableData
            guard !chunk.isEmpty else { throw BenchError("\(peer) peer: its process ended (its errors are above)") }
            buffered.append(chunk)
        }
    }
}
