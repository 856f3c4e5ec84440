import ArgumentParser
import Bench
import Engine
import Foundation
import Learning

/// Something that trains one more epoch when asked and says how long it took.
protocol EpochContender {
    var name: String { get }
    /// The process whose CPU time is the contender's own, when it is not this one.
    var processIdentifier: Int32? { get }
    func trainEpoch() throws -> Double
    func stop()
}

/// One of Signet's backends, training in this process.
final class SignetContender: EpochContender {
    let name: String
    let processIdentifier: Int32? = nil
    private let trainer: Trainer
    private let data: TrainingData

    /// Builds the model from seed 1 and trains the untimed warm-up epoch.
    init(_ benchmark: BenchmarkCase, backend: any Backend, kind: BackendKind, data: TrainingData) throws {
        name = "Signet \(kind.rawValue)"
        var generator = SeededGenerator(seed: 1)
        let model = try Sequential(spec: try benchmark.spec(), backend: backend, generator: &generator)
        // Epochs enough for any number of rounds; each call trains one more.
        trainer = try Trainer(model: model, configuration: TrainingConfiguration(epochs: 1_000_000, batchSize: benchmark.batchSize, seed: 1),
                              generator: generator)
        self.data = data
        _ = try trainEpoch()
    }

    func trainEpoch() throws -> Double {
        let records = try trainer.fit(data, upToEpoch: trainer.epochsCompleted + 1)
        guard let record = records.last else { throw ValidationError("\(name): the trainer ran no epoch") }
        return record.seconds
    }

    func stop() {}
}

/// A peer library, which `Benchmarks/peers/training_peer.py` drives in a process of its own.
enum PeerFramework: String, CaseIterable, ExpressibleByArgument {
    case torch, keras

    var displayName: String { self == .torch ? "PyTorch" : "Keras" }
}

/// A peer's process: `training_peer.py` answers each `epoch` line with one JSON line.
final class PeerContender: EpochContender {
    let name: String
    private let process = Process()
    private let input = Pipe(), output = Pipe()
    private var buffered = Data()

    var processIdentifier: Int32? { process.processIdentifier }

    /// Starts the script and waits for its `ready` line (after its warm-up epoch).
    init(_ framework: PeerFramework, case benchmark: BenchmarkCase, python: String, data folder: String) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("peers/training_peer.py")
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, "--framework", framework.rawValue, "--case", benchmark.rawValue, "--data", folder,
                             "--threads", String(ProcessInfo.processInfo.activeProcessorCount)]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        var pending = Data()
        let ready = try Self.readJSON(from: output.fileHandleForReading, buffered: &pending)
        guard ready["ready"] as? Bool == true else {
            process.terminate()
            throw ValidationError("\(framework.rawValue) peer: no ready line")
        }
        name = "\(framework.displayName) \(ready["version"] as? String ?? "?"), \(ready["threads"] as? Int ?? 0) threads"
        buffered = pending
    }

    func trainEpoch() throws -> Double {
        input.fileHandleForWriting.write(Data("epoch\n".utf8))
        guard let seconds = try readJSON()["seconds"] as? Double else { throw ValidationError("\(name): no seconds in its answer") }
        return seconds
    }

    /// Asks the script to quit, and ends it if it has not within ten seconds (Foundation's
    /// `waitUntilExit` can hang on Linux, so it is polled).
    func stop() {
        input.fileHandleForWriting.write(Data("quit\n".utf8))
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
    }

    /// The next line of the script's output, as a JSON object.
    private func readJSON() throws -> [String: Any] {
        try Self.readJSON(from: output.fileHandleForReading, buffered: &buffered)
    }

    private static func readJSON(from output: FileHandle, buffered: inout Data) throws -> [String: Any] {
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffered[buffered.startIndex..<newline]
                buffered = Data(buffered[buffered.index(after: newline)...])
                guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else {
                    throw ValidationError("peer: not a JSON line: \(String(decoding: line, as: UTF8.self))")
                }
                return object
            }
            let chunk = output.availableData
            guard !chunk.isEmpty else { throw ValidationError("peer: its process ended (its errors are above)") }
            buffered.append(chunk)
        }
    }
}
