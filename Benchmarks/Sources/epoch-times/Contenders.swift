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

/// A peer library training in a process of its own (`Bench.TrainingPeerProcess`, which runs
/// `Benchmarks/peers/training_peer.py`).
final class PeerContender: EpochContender {
    private let peer: TrainingPeerProcess

    var name: String { peer.name }
    var processIdentifier: Int32? { peer.processIdentifier }

    /// Starts the script and waits for its `ready` line (after its warm-up epoch).
    init(_ framework: TrainingPeerProcess.Framework, case benchmark: BenchmarkCase, python: String, data folder: String) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("peers/training_peer.py")
        peer = try TrainingPeerProcess(framework, case: benchmark.rawValue, python: python, script: script, data: folder)
    }

    func trainEpoch() throws -> Double { try peer.trainEpoch() }

    func stop() { peer.stop() }
}
