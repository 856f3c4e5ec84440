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
        try run(on: [backend], into: folder, observers: [observer])
    }

    /// Runs (or reuses) every experiment into `folder/<name>/`, one worker per backend side by
    /// side (`SweepWorkers`): each worker that falls free takes the costliest experiment not yet
    /// started, and once none is left runs a backup of the one running longest on another (the
    /// first attempt to finish writes the result). `folder/index.json` is written after each
    /// experiment, listing those finished in the sweep's order. An experiment's result depends on its configuration and its backend
    /// alone, never on the worker or on what ran beside it: on one kind of backend, the same
    /// bits as a run on one backend. With several backends, the CPU backend leaves a thread to
    /// each OpenCL one's host work (`shareCPUThreads(with:)`).
    /// - Parameter observers: worker `i`'s observer is `observers[i]` (none past the end).
    /// - Throws: the first experiment's failure, once the other workers have finished the
    ///   experiments they held (none more is started).
    public func run(on backends: [any Backend], into folder: URL, observers: [(any SweepObserver)?]) throws -> SweepIndex {
        try start(in: folder, sharded: false)
        var finished = [SweepEntry?](repeating: nil, count: experiments.count)
        try run(Array(experiments.indices), on: backends, into: folder, observers: observers) { number, entry in
            finished[number] = entry
            try StudyFiles.save(Self.json(SweepIndex(entries: finished.compactMap { $0 })),
                                to: folder.appendingPathComponent(Self.indexName))
        }
        return SweepIndex(entries: finished.compactMap { $0 })
    }

    /// Runs (or reuses) the experiments of one shard into `folder/<name>/`, beside the other
    /// shards' (on other machines, into the same shared folder), on `backends` side by side as
    /// `run(on:into:observers:)` does. Writes no index: that is the merge's (`merge`), once
    /// every shard's experiments are complete.
    /// - Returns: the entries of this shard's experiments, in the sweep's order.
    /// - Throws: `SignaturesError.invalidArgument` when `folder` holds another sweep's
    ///   `sweep.json` (shards started with other settings would partition other lists).
    public func run(shard: SweepShard, on backends: [any Backend], into folder: URL,
                    observers: [(any SweepObserver)?] = []) throws -> [SweepEntry] {
        try start(in: folder, sharded: true)
        let mine = Set(shard.experiments(of: experiments).map(\.name))
        var finished = [SweepEntry?](repeating: nil, count: experiments.count)
        try run(experiments.indices.filter { mine.contains(experiments[$0].name) }, on: backends, into: folder,
                observers: observers) { number, entry in finished[number] = entry }
        return finished.compactMap { $0 }
    }

    /// Runs the experiments numbered `chosen` on `backends` side by side, calling `finished`
    /// with each entry (under the workers' lock, one at a time). One backend runs them in the
    /// sweep's order; several take the costliest first, and a worker left without one to start
    /// runs a backup of the one running longest elsewhere (`SweepWorkers`).
    private func run(_ chosen: [Int], on backends: [any Backend], into folder: URL, observers: [(any SweepObserver)?],
                     finished: @escaping (Int, SweepEntry) throws -> Void) throws {
        precondition(!backends.isEmpty, "a sweep needs a backend to run on")
        let order = backends.count == 1 ? chosen
            : SweepShard.costliestFirst(chosen.map { experiments[$0].estimatedCost }).map { chosen[$0] }
        Self.shareCPUThreads(with: backends)
        defer {
            CPUThreads.reserve(0)
            // Every worker has stopped now. A backup that won leaves the first attempt's journal
            // (written to until that attempt stopped), and a backup that lost its folder. Other
            // shards may share the folder of backups: only this shard's go.
            let backups = folder.appendingPathComponent(Self.backupsName, isDirectory: true)
            for number in chosen where backends.count > 1 {
                let name = experiments[number].name
                let destination = folder.appendingPathComponent(name, isDirectory: true)
                if Self.completedResult(in: destination, matching: experiments[number].configuration) != nil {
                    (try? StudyJournal.open(in: destination))?.remove()
                }
                try? FileManager.default.removeItem(at: backups.appendingPathComponent(name, isDirectory: true))
            }
            if (try? FileManager.default.contentsOfDirectory(atPath: backups.path))?.isEmpty == true {
                try? FileManager.default.removeItem(at: backups)
            }
        }
        let observer = { (worker: Int) in worker < observers.count ? observers[worker] : nil }
        _ = try SweepWorkers(order: order).run(
            workers: backends.count,
            job: { worker, attempt, position in
                try self.run(self.experiments[attempt.number], on: backends[worker], into: folder, position: position,
                             of: chosen.count, observer: observer(worker), attempt: attempt)
            },
            finished: { _, number, entry in try finished(number, entry) },
            failed: { worker, number, error in observer(worker)?.experimentFailed(self.experiments[number].name, error: error) })
    }

    /// The folder of the backups a sweep on several devices runs (`folder/.signet-backups/<name>`),
    /// apart from the first attempts' journals.
    static let backupsName = ".signet-backups"

    /// Leaves the CPU backend, when it runs beside OpenCL devices, one thread fewer for each of
    /// them: their host work (launches, copies, the host side of the analyses) needs a core, and
    /// threads contending for every core would slow all. The result does not change: the CPU
    /// backend's bits never depend on its thread count.
    public static func shareCPUThreads(with backends: [any Backend]) {
        let others = backends.filter { $0.kind != .cpu }.count
        CPUThreads.reserve(backends.count > 1 && others < backends.count ? others : 0)
    }

    /// Makes the folder and records the experiments in `sweep.json`. A shard finding another
    /// list there refuses to start: its part of that list is not its part of this one.
    private func start(in folder: URL, sharded: Bool) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw SignaturesError.cannotWrite(path: folder.path, reason: error.localizedDescription)
        }
        if sharded, let recorded = try? Self.recordedExperiments(in: folder), recorded != experiments {
            throw SignaturesError.invalidArgument("\(folder.path) holds another sweep (its \(Self.experimentsName) lists other "
                + "experiments or settings): every shard must be given the same settings; for a new sweep, use another folder")
        }
        try StudyFiles.save(Self.json(experiments), to: folder.appendingPathComponent(Self.experimentsName))
    }

    /// Runs one experiment into `folder/<name>/`, or reads it back when complete there. A
    /// backup attempt runs in a folder of its own under `.signet-backups` and, if it claims the
    /// experiment first, writes the same files into `folder/<name>/`.
    /// - Throws: `SweepWorkers.Superseded` once the experiment's other attempt has claimed it.
    private func run(_ experiment: SweepExperiment, on backend: any Backend, into folder: URL, position: Int, of count: Int,
                     observer: (any SweepObserver)?, attempt: SweepWorkers.Attempt) throws -> SweepEntry {
        let destination = folder.appendingPathComponent(experiment.name, isDirectory: true)
        let clock = ContinuousClock.now
        let entry: SweepEntry
        if let previous = Self.completedResult(in: destination, matching: experiment.configuration) {
            guard attempt.claim() else { throw SweepWorkers.Superseded() }
            entry = SweepEntry(name: experiment.name, result: previous, seconds: 0, reused: true)
            // A kill after the files were written and before the journal was removed.
            (try? StudyJournal.open(in: destination))?.remove()
        } else {
            let workFolder = attempt.isBackup
                ? folder.appendingPathComponent(Self.backupsName, isDirectory: true).appendingPathComponent(experiment.name, isDirectory: true)
                : destination
            let journal: StudyJournal
            if attempt.isBackup {
                observer?.backupStarted(experiment.name)
                try? FileManager.default.removeItem(at: workFolder)
                journal = try StudyJournal.start(in: workFolder, configuration: experiment.configuration, backend: backend)
            } else {
                observer?.experimentStarted(experiment.name, position: position, of: count)
                // An experiment a kill left unfinished continues where it stopped.
                let description = Study.describe(backend)
                journal = try (try? StudyJournal.open(in: destination)).flatMap {
                    $0.header.configuration == experiment.configuration && $0.header.backend == description
                        && $0.header.build == .current ? $0 : nil
                } ?? StudyJournal.start(in: destination, configuration: experiment.configuration, backend: backend)
            }
            let outcome: StudyOutcome
            do {
                outcome = try Study(experiment.configuration, store: store).run(
                    on: backend, observer: SupersedableStudyObserver(observer?.studyObserver, attempt: attempt), journal: journal)
                guard attempt.claim() else { throw SweepWorkers.Superseded() }
            } catch where error is SweepWorkers.Superseded || attempt.isSuperseded {
                // Superseded at a check, or failing after it (a backup that won removes this
                // attempt's journal, which it may still be writing to): either way, it lost.
                if attempt.isBackup { try? FileManager.default.removeItem(at: workFolder) }
                observer?.experimentSuperseded(experiment.name)
                throw SweepWorkers.Superseded()
            }
            try StudyFiles.write(outcome, to: destination)
            journal.remove()
            if attempt.isBackup {
                // The first attempt's journal: it stops at its next check, and the sweep removes
                // what it writes until then.
                (try? StudyJournal.open(in: destination))?.remove()
                try? FileManager.default.removeItem(at: workFolder)
            }
            entry = SweepEntry(name: experiment.name, result: outcome.result, seconds: clock.secondsSince(), reused: false)
        }
        observer?.experimentFinished(entry)
        return entry
    }

    /// Each experiment's entry, in order: `known`'s (what this process ran), else one made from
    /// the complete result of its configuration in `folder` (its time the result's phases,
    /// summed), nil where there is none. Each result is read once.
    public static func entries(_ experiments: [SweepExperiment], in folder: URL, known: [SweepEntry] = []) -> [SweepEntry?] {
        let ran = Dictionary(known.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return experiments.map { experiment in
            if let entry = ran[experiment.name] { return entry }
            let destination = folder.appendingPathComponent(experiment.name, isDirectory: true)
            return completedResult(in: destination, matching: experiment.configuration).map { result in
                SweepEntry(name: experiment.name, result: result, seconds: result.phases.reduce(0) { $0 + $1.seconds }, reused: false)
            }
        }
    }

    /// The index of a sweep whose experiments all have an entry (from `entries(_:in:known:)`),
    /// run by any number of shards, written to `folder/index.json`.
    /// - Throws: `SignaturesError.insufficientData` naming every experiment without one.
    public static func merge(_ experiments: [SweepExperiment], entries: [SweepEntry?], in folder: URL) throws -> SweepIndex {
        let absent = zip(experiments, entries).filter { $0.1 == nil }.map(\.0.name)
        guard absent.isEmpty else {
            throw SignaturesError.insufficientData("not complete in \(folder.path): \(absent.joined(separator: ", ")) "
                + "(\(absent.count) of the sweep's \(experiments.count) experiments)")
        }
        let index = SweepIndex(entries: entries.compactMap { $0 })
        try StudyFiles.save(Self.json(index), to: folder.appendingPathComponent(Self.indexName))
        return index
    }

    /// The claim of the one shard that merges a sharded sweep: a lock folder, made atomically
    /// (`mkdir` is atomic on NFS too, where `O_EXCL` files were not always), removed once the
    /// index and report are written. Merging twice would write the same files; the lock keeps
    /// two shards that finish together from doing the work twice.
    public struct MergeClaim {
        public static let folderName = ".signet-merge"
        let folder: URL

        /// The claim of `folder`'s merge, or nil when another process holds it.
        public static func claim(in folder: URL) -> MergeClaim? {
            let lock = folder.appendingPathComponent(folderName, isDirectory: true)
            guard (try? FileManager.default.createDirectory(at: lock, withIntermediateDirectories: false)) != nil else { return nil }
            return MergeClaim(folder: lock)
        }

        public func release() {
            try? FileManager.default.removeItem(at: folder)
        }
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
    /// An experiment failed (or was stopped): the sweep starts no other and, once the other
    /// workers have finished theirs, throws `error`.
    func experimentFailed(_ name: String, error: any Error)
    /// This worker, with no experiment left to start, runs the experiment again that has run
    /// longest on another; the first of the two to finish gives the result.
    func backupStarted(_ name: String)
    /// The experiment's other attempt finished first: this worker's stopped.
    func experimentSuperseded(_ name: String)
    /// Follows each study the sweep runs; nil to ignore them.
    var studyObserver: (any StudyObserver)? { get }
}

extension SweepObserver {
    public func experimentStarted(_ name: String, position: Int, of count: Int) {}
    public func experimentFinished(_ entry: SweepEntry) {}
    public func experimentFailed(_ name: String, error: any Error) {}
    public func backupStarted(_ name: String) {}
    public func experimentSuperseded(_ name: String) {}
    public var studyObserver: (any StudyObserver)? { nil }
}
