import Datasets
import Engine
import Foundation
import SignetBuild

/// Several studies run one after the other into one folder, one subfolder each, with an index of
/// their headline numbers: the original's published experiments in one command.
///
/// An experiment whose folder already holds a complete `result.json` of the same configuration
/// is not run again: its result is read back into the index; one that a kill left unfinished
/// continues from its journal (`StudyJournal`). The experiments are recorded first in
/// `sweep.json`, so that `recordedExperiments(in:)` gives a sweep back from nothing but its folder.
public struct Sweep {
    public let experiments: [SweepExperiment]
    public let store: DatasetStore

    /// - Throws: `SignaturesError.invalidArgument` when two experiments share a name or a name
    ///   cannot be a folder.
    public init(_ experiments: [SweepExperiment], store: DatasetStore) throws {
        guard Set(experiments.map(\.name)).count == experiments.count else {
            throw SignaturesError.invalidArgument("two experiments of the sweep have the same name")
        }
        if let bad = experiments.first(where: { $0.name.isEmpty || $0.name.contains("/") || $0.name.hasPrefix(".") }) {
            throw SignaturesError.invalidArgument("'\(bad.name)' cannot name an experiment's folder")
        }
        self.experiments = experiments
        self.store = store
    }

    /// The file listing every experiment of a sweep.
    public static let indexName = "index.json"
    /// The file recording the experiments a sweep runs, written before the first starts.
    public static let experimentsName = "sweep.json"

    /// The experiments of the sweep a kill or a stop left in `folder`.
    /// - Throws: `SignaturesError.invalidArgument` when the folder holds no readable `sweep.json`.
    public static func recordedExperiments(in folder: URL) throws -> [SweepExperiment] {
        let file = folder.appendingPathComponent(experimentsName)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw SignaturesError.invalidArgument("\(folder.path) holds no sweep to resume (no \(experimentsName))")
        }
        do {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            return try decoder.decode([SweepExperiment].self, from: data)
        } catch {
            throw SignaturesError.invalidArgument("\(file.path) is not a sweep's list of experiments: \(error.localizedDescription)")
        }
    }

    /// Checks every experiment (as `Study.init` does) before any of them runs.
    /// - Throws: the first experiment's refusal, prefixed with its name.
    public func check() throws {
        for experiment in experiments {
            do {
                _ = try Study(experiment.configuration, store: store)
            } catch let SignaturesError.invalidArgument(reason) {
                throw SignaturesError.invalidArgument("\(experiment.name): \(reason)")
            }
        }
    }

    /// Runs (or reuses) every experiment into `folder/<name>/` and writes `folder/index.json`
    /// after each, so that an interrupted sweep leaves a valid index of what it finished.
    public func run(on backend: any Backend, into folder: URL, observer: (any SweepObserver)? = nil) throws -> SweepIndex {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw SignaturesError.cannotWrite(path: folder.path, reason: error.localizedDescription)
        }
        try StudyFiles.save(Self.json(experiments), to: folder.appendingPathComponent(Self.experimentsName))
        var index = SweepIndex(entries: [])
        for (position, experiment) in experiments.enumerated() {
            let destination = folder.appendingPathComponent(experiment.name, isDirectory: true)
            let clock = ContinuousClock.now
            let entry: SweepEntry
            if let previous = Self.completedResult(in: destination, matching: experiment.configuration) {
                entry = SweepEntry(name: experiment.name, result: previous, seconds: 0, reused: true)
                // A kill after the files were written and before the journal was removed.
                (try? StudyJournal.open(in: destination))?.remove()
            } else {
                observer?.experimentStarted(experiment.name, position: position + 1, of: experiments.count)
                // An experiment a kill left unfinished continues where it stopped.
                let description = Study.describe(backend)
                let journal = try (try? StudyJournal.open(in: destination)).flatMap {
                    $0.header.configuration == experiment.configuration && $0.header.backend == description
                        && $0.header.build == .current ? $0 : nil
                } ?? StudyJournal.start(in: destination, configuration: experiment.configuration, backend: backend)
                let outcome = try Study(experiment.configuration, store: store).run(on: backend, observer: observer?.studyObserver,
                                                                                    journal: journal)
                try StudyFiles.write(outcome, to: destination)
                journal.remove()
                entry = SweepEntry(name: experiment.name, result: outcome.result, seconds: clock.secondsSince(), reused: false)
            }
            index.entries.append(entry)
            try StudyFiles.save(Self.json(index), to: folder.appendingPathComponent(Self.indexName))
            observer?.experimentFinished(entry)
        }
        return index
    }

    /// The result in `folder` if it is complete (it decodes, in this schema) and was made with
    /// `configuration`; nil otherwise.
    static func completedResult(in folder: URL, matching configuration: StudyConfiguration) -> StudyResult? {
        guard let result = try? StudyFiles.readResult(from: folder.appendingPathComponent(StudyFiles.resultName)),
              result.configuration == configuration,
              FileManager.default.fileExists(atPath: folder.appendingPathComponent(StudyFiles.signaturesName).path),
              FileManager.default.fileExists(atPath: folder.appendingPathComponent(StudyFiles.pathsName).path) else { return nil }
        return result
    }

    /// The index as `index.json` holds it (or the experiments as `sweep.json` does).
    public static func json<Value: Encodable>(_ index: Value) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(index)
    }
}

/// One study of a sweep: its folder's name and its configuration.
public struct SweepExperiment: Codable, Equatable, Sendable {
    /// The folder name, as the original named its experiments: `signature_17_100`.
    public var name: String
    public var configuration: StudyConfiguration

    public init(name: String, configuration: StudyConfiguration) {
        self.name = name
        self.configuration = configuration
    }
}

/// Follows a sweep: each experiment as it starts and finishes, and the studies inside.
public protocol SweepObserver: AnyObject {
    func experimentStarted(_ name: String, position: Int, of count: Int)
    /// An experiment finished, or was found complete in its folder (`entry.reused`).
    func experimentFinished(_ entry: SweepEntry)
    /// Follows each study the sweep runs; nil to ignore them.
    var studyObserver: (any StudyObserver)? { get }
}

extension SweepObserver {
    public func experimentStarted(_ name: String, position: Int, of count: Int) {}
    public func experimentFinished(_ entry: SweepEntry) {}
    public var studyObserver: (any StudyObserver)? { nil }
}
