import ArgumentParser
import Datasets
import Engine
import Foundation
import Learning
import OpenCL
import Report
import Signatures

/// `signet sweep`: the original's published experiments, one study each, and an index.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run the original study's experiments (0/1, 1/4, 2/8, 5/6, 6/9, 1/3/7, all ten, 1/7 with anomalies) into one folder.",
        discussion: """
            Each experiment is a signet study with the original preset (784-32-16, MSE, Adam 1e-4, batch 12, \
            15 epochs, the first 100 training images per digit, K-means with 100 restarts), in a folder named as \
            the original named it (signature_17_100), plus 1/7 on the CNN (cnn-sig). --full adds all 70,000 images \
            studied on the dense network (--preset modern) and on cnn-sig. DIR/index.json lists every experiment's \
            headline numbers. An experiment whose folder holds a complete result of the same settings is not run again.
            """)

    /// The experiments by code: the digits, the anomalies, and the model flags.
    struct Experiment {
        let code: String
        let digits: String
        let anomalies: String
        /// Extra `signet study` flags: the model and, for the full studies, the images.
        let flags: [String]
        let full: Bool

        /// `signature_17_100`: the digits (or `all`) and the images per digit, as the original.
        func name(perClass: Int) -> String {
            let digitsPart = digits == "0-9" ? "all" : digits.replacingOccurrences(of: ",", with: "")
            let model = flags.firstIndex(of: "--model").map { "_" + flags[$0 + 1] } ?? ""
            return "signature_\(digitsPart)_\(full ? "70000" : String(perClass))\(model)"
        }
    }

    static let grid: [Experiment] = [
        Experiment(code: "01", digits: "0,1", anomalies: "none", flags: [], full: false),
        Experiment(code: "14", digits: "1,4", anomalies: "none", flags: [], full: false),
        Experiment(code: "28", digits: "2,8", anomalies: "none", flags: [], full: false),
        Experiment(code: "56", digits: "5,6", anomalies: "none", flags: [], full: false),
        Experiment(code: "69", digits: "6,9", anomalies: "none", flags: [], full: false),
        Experiment(code: "137", digits: "1,3,7", anomalies: "none", flags: [], full: false),
        Experiment(code: "all", digits: "0-9", anomalies: "none", flags: [], full: false),
        Experiment(code: "17", digits: "1,7", anomalies: "3,4", flags: [], full: false),
        Experiment(code: "17-cnn", digits: "1,7", anomalies: "3,4", flags: ["--model", "cnn-sig"], full: false),
        Experiment(code: "full", digits: "0-9", anomalies: "none", flags: ["--preset", "modern"], full: true),
        Experiment(code: "full-cnn", digits: "0-9", anomalies: "none", flags: ["--model", "cnn-sig"], full: true),
    ]

    @Option(help: ArgumentHelp("Folder for the experiments' folders and index.json.", valueName: "dir"))
    var out: String = "sweep"

    @Option(help: ArgumentHelp("Seeds per experiment: every figure as mean [min-max].", valueName: "n"))
    var seeds: Int = 1

    @Option(help: "The first seed.")
    var seed: UInt64 = 1

    @Flag(help: "Add the full-70,000-image studies of the dense network (--preset modern) and of cnn-sig.")
    var full = false

    @Option(help: ArgumentHelp("Run only these experiments: codes among \(grid.map(\.code).joined(separator: ", ")).",
                               valueName: "codes"))
    var only: String?

    @Option(name: .customLong("dataset"), help: "mnist or fashion-mnist (default: mnist).")
    var dataset: DatasetName = .mnist

    @Option(help: ArgumentHelp("Folder holding the dataset files (default: $SIGNET_DATA, then ~/.cache/signet/datasets).",
                               valueName: "dir"))
    var data: String?

    @Option(name: .customLong("per-class"), help: ArgumentHelp("Images per digit of the subset experiments (default: 100, the original's).",
                                                               valueName: "n"))
    var perClass: Int = 100

    @Option(name: .customLong("n-init"), help: ArgumentHelp("K-means restarts (default: 100 for the original's experiments, 10 for the full ones).",
                                                            valueName: "n"))
    var nInit: Int?

    @Option(help: ArgumentHelp("Largest candidate k (default 10).", valueName: "k"))
    var kmax: Int?

    @OptionGroup var deviceOptions: DeviceOptions

    @Option(help: ArgumentHelp("Run experiments side by side, one worker per device: all (see `signet devices`), or a list "
        + "such as cpu,opencl:0,opencl:1. Each experiment gives the result it gives on its device alone.",
        valueName: "all|list"))
    var devices: String?

    @Flag(help: "Print the index as JSON instead of the table.")
    var json = false

    @Flag(help: "Hide each experiment's model summary and progress bar (the phase and epoch lines stay).")
    var quiet = false

    @Option(help: ArgumentHelp("Continue the sweep a kill or a stop left unfinished in this folder (its --out), with the "
        + "experiments it started with: finished experiments are kept, an unfinished one continues from its journal. Only "
        + "--device, --devices, --data, --shard, --json and --quiet may be given with it.", valueName: "dir"))
    var resume: String?

    @Option(help: ArgumentHelp("Run only the I-th of N parts of the experiments, balanced by their estimated cost, into a folder "
        + "the other parts share (on other machines: a shared file system); the last part to finish merges them. auto: the "
        + "part Slurm (job arrays or tasks), Open MPI or PMI gives this process.", valueName: "I/N|auto"))
    var shard: String?

    @Option(help: ArgumentHelp("Merge a sharded sweep's folder: check that every experiment is complete, then write index.json "
        + "and the report; name the experiments that are not. Only --data, --json and --quiet may be given with it.",
        valueName: "dir"))
    var merge: String?

    /// The sweep's own settings given, by name: what --resume and --merge take from the folder.
    private var givenSettings: [String] {
        let given: [(String, Bool)] = [
            ("--out", out != "sweep"), ("--seeds", seeds != 1), ("--seed", seed != 1), ("--full", full), ("--only", only != nil),
            ("--dataset", dataset != .mnist), ("--per-class", perClass != 100), ("--n-init", nInit != nil), ("--kmax", kmax != nil),
        ]
        return given.filter(\.1).map(\.0)
    }

    func validate() throws {
        if seeds < 1 { throw ValidationError("--seeds must be at least 1, got \(seeds)") }
        if perClass < 1 { throw ValidationError("--per-class must be at least 1, got \(perClass)") }
        if let nInit, nInit < 1 { throw ValidationError("--n-init must be at least 1, got \(nInit)") }
        if let kmax, kmax < 2 { throw ValidationError("--kmax must be at least 2, got \(kmax)") }
        _ = try chosen()
        _ = try parsedShard()
        _ = try deviceList()
        if devices != nil, deviceOptions.device != nil {
            throw ValidationError("--device and --devices cannot both be given: --devices lists every device to run on")
        }
        if let merge {
            let refused = givenSettings + [("--resume", resume != nil), ("--shard", shard != nil),
                                           ("--device", deviceOptions.device != nil), ("--devices", devices != nil)].filter(\.1).map(\.0)
            if !refused.isEmpty {
                throw ValidationError("--merge reads the experiments and results the folder holds, so \(refused.joined(separator: ", ")) "
                    + "cannot be given; only --data, --json and --quiet may")
            }
            try StudyCommand.checkFolder(merge, flag: "--merge")
        } else if let resume {
            let fixed = givenSettings
            if !fixed.isEmpty {
                throw ValidationError("--resume continues the sweep with the experiments it started with, so "
                    + "\(fixed.joined(separator: ", ")) cannot be given; only --device, --devices, --data, --shard, --json and --quiet may")
            }
            try StudyCommand.checkFolder(resume, flag: "--resume")
        } else {
            try StudyCommand.checkFolder(out, flag: "--out")
        }
    }

    func run() throws {
        Interruption.install()
        let store = DatasetStore(dataDirectory: data.map { URL(fileURLWithPath: $0, isDirectory: true) })
        if let merge {
            let folder = URL(fileURLWithPath: merge, isDirectory: true)
            let experiments = try Sweep.recordedExperiments(in: folder)
            let index: SweepIndex
            do {
                index = try Sweep.merge(experiments, entries: Sweep.entries(experiments, in: folder), in: folder)
            } catch let SignaturesError.insufficientData(reason) {
                throw CLIFailure("\(reason); run their shards again with signet sweep --resume \(merge) --shard I/N, "
                    + "or all that is missing with signet sweep --resume \(merge)")
            }
            try finish(index, folder: folder, folderPath: merge, store: store)
            return
        }
        let folderPath = resume ?? out
        let folder = URL(fileURLWithPath: folderPath, isDirectory: true)
        let experiments = try resume.map { _ in try Sweep.recordedExperiments(in: folder) } ?? chosen().map { try experiment($0) }
        let sweep = try Sweep(experiments, store: store)
        try sweep.check()
        let (backends, progress) = try workers()
        guard let shard = try parsedShard() else {
            let index: SweepIndex
            do {
                index = try sweep.run(on: backends, into: folder, observers: progress)
            } catch let stopped as Interruption.Stopped {
                throw stopped.adding("signet sweep --resume \(folderPath) continues it")
            }
            try finish(index, folder: folder, folderPath: folderPath, store: store)
            return
        }
        let entries: [SweepEntry]
        do {
            entries = try sweep.run(shard: shard, on: backends, into: folder, observers: progress)
        } catch let stopped as Interruption.Stopped {
            throw stopped.adding("signet sweep --resume \(folderPath) --shard \(shard) continues it")
        }
        // The last shard to finish finds every experiment complete and merges; of two that
        // finish together, the one that claims the merge.
        let all = Sweep.entries(experiments, in: folder, known: entries)
        let absent = zip(experiments, all).filter { $0.1 == nil }.map(\.0)
        if absent.isEmpty, let claim = Sweep.MergeClaim.claim(in: folder) {
            defer { claim.release() }
            try finish(try Sweep.merge(experiments, entries: all, in: folder), folder: folder, folderPath: folderPath, store: store)
            return
        }
        if json {
            print(String(decoding: try Sweep.json(SweepIndex(entries: entries)), as: UTF8.self))
        } else {
            print(SweepTable(SweepIndex(entries: entries)).text)
            let waiting = absent.isEmpty ? "another shard is merging the sweep"
                : "not complete yet, of the other shards: \(absent.map(\.name).joined(separator: ", ")); the last shard to "
                    + "finish merges the sweep, or signet sweep --merge \(folderPath) once they are complete"
            print("\nShard \(shard): \(entries.count) of the \(experiments.count) experiments complete in \(folderPath); \(waiting)")
        }
    }

    /// Writes the sweep's report from its index and prints the index (as a table, or JSON).
    private func finish(_ index: SweepIndex, folder: URL, folderPath: String, store: DatasetStore) throws {
        let page = try Report.writeSweep(index, to: folder, store: store)
        if json {
            print(String(decoding: try Sweep.json(index), as: UTF8.self))
        } else {
            print(SweepTable(index).text)
            print("\nWrote \(folderPath)/\(Sweep.indexName) and \(index.entries.count) experiment folders")
            print("Report: \(page.path)")
        }
    }

    /// The backends to run on (one, or one per device of `--devices`) and each one's observer,
    /// each announced in a line.
    private func workers() throws -> ([any Backend], [SweepProgress]) {
        let fault = try FaultHook.fromEnvironment()
        guard let list = try deviceList() else {
            return ([try deviceOptions.makeBackend()], [SweepProgress(study: StudyProgress(quiet: quiet, fault: fault))])
        }
        let requests: [DeviceRequest], available: [Device]
        do {
            // The CPU backend needs no OpenCL: a broken driver must not stop --devices cpu.
            available = list == .listed([.cpu]) ? [] : list == .all ? (try? Device.all()) ?? [] : try Device.all()
            requests = try list.requests(among: available)
        } catch {
            throw CLIFailure("--devices \(list): \(error)")
        }
        if list == .all {
            let leftOut = DeviceList.allDevices(among: available).leftOut
            printError("--devices all: \(requests.map(\.description).joined(separator: ", "))"
                + leftOut.map { "; left out \($0.request) (\($0.reason); list it to add it)" }.joined())
        }
        let backends = try requests.map { request in
            do {
                return try request.makeBackend(devices: available).backend
            } catch {
                throw CLIFailure("--devices: \(request) cannot start: \(error)")
            }
        }
        Sweep.shareCPUThreads(with: backends)
        for (request, backend) in zip(requests, backends) { printError("Using \(request): \(backend.description)") }
        guard backends.count > 1 else {
            return (backends, [SweepProgress(study: StudyProgress(quiet: quiet, fault: fault))])
        }
        let board = DeviceBoard(devices: requests.map(\.description))
        return (backends, backends.indices.map { device in
            let lane = board.lane(device)
            return SweepProgress(study: StudyProgress(quiet: quiet, fault: fault, console: lane), lane: lane)
        })
    }

    /// The devices `--devices` lists, parsed; nil without the flag.
    private func deviceList() throws -> DeviceList? {
        guard let devices else { return nil }
        do {
            return try DeviceList(parsing: devices)
        } catch let error as EngineError {
            throw ValidationError("--devices: \(error.description)")
        }
    }

    /// The part `--shard` names: `I/N`, or the launcher's for `auto`; nil without the flag.
    private func parsedShard() throws -> SweepShard? {
        guard let shard else { return nil }
        do {
            return shard == "auto" ? try SweepShard.fromLauncher(ProcessInfo.processInfo.environment) : try SweepShard(parsing: shard)
        } catch let SignaturesError.invalidArgument(reason) {
            throw ValidationError("--shard: \(reason)")
        }
    }

    /// The experiments `--only` and `--full` select, in grid order.
    private func chosen() throws -> [Experiment] {
        guard let only else { return Self.grid.filter { full || !$0.full } }
        let codes = only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if let unknown = codes.first(where: { code in !Self.grid.contains { $0.code == code } }) {
            throw ValidationError("--only: unknown experiment '\(unknown)'; the codes are \(Self.grid.map(\.code).joined(separator: ", "))")
        }
        guard !codes.isEmpty else { throw ValidationError("--only names no experiment") }
        return Self.grid.filter { codes.contains($0.code) }
    }

    /// The experiment's study, configured exactly as `signet study` with these flags would be.
    private func experiment(_ experiment: Experiment) throws -> SweepExperiment {
        var arguments = experiment.flags + ["--digits", experiment.digits, "--anomalies", experiment.anomalies,
                                            "--seeds", String(seeds), "--seed", String(seed), "--dataset", dataset.rawValue,
                                            "--out", out]
        arguments += experiment.full ? ["--per-class", "all", "--analyze", "all"] : ["--per-class", String(perClass)]
        // The original clustered with 100 restarts; the CNN of the 1/7 comparison too.
        if let nInit { arguments += ["--n-init", String(nInit)] } else if !experiment.full { arguments += ["--n-init", "100"] }
        if let kmax { arguments += ["--kmax", String(kmax)] }
        let study = try StudyCommand.parse(arguments)
        return SweepExperiment(name: experiment.name(perClass: perClass), configuration: try study.studyConfiguration())
    }
}

/// The sweep's observer for the CLI: a line as each experiment starts, each study's phases,
/// model summary and training progress, and a line as it finishes; on standard error, or on its
/// device's line of the board when the sweep runs on several devices.
final class SweepProgress: SweepObserver {
    /// Each study's phases, model summary and training progress.
    let studyObserver: (any StudyObserver)?
    /// The device's line, for a sweep on several devices.
    private let lane: DeviceLane?

    init(study: StudyProgress, lane: DeviceLane? = nil) {
        studyObserver = study
        self.lane = lane
    }

    func experimentStarted(_ name: String, position: Int, of count: Int) {
        let line = "Running \(name) (\(position)/\(count))"
        if let lane { lane.note(line) } else { printError(line) }
    }

    func experimentFinished(_ entry: SweepEntry) {
        let layers = entry.layers.map { "\($0.layer) k \(SweepTable.number($0.k, integer: true)) purity \(SweepTable.number($0.purity))" }
        let time = entry.reused ? "complete already, not run again" : "\(MetricText.fixed(entry.seconds, 1)) s"
        let line = "\(entry.name): \(entry.model), accuracy \(SweepTable.percent(entry.testAccuracy)), "
            + layers.joined(separator: ", ") + " (\(time))"
        guard let lane else { return printError(line) }
        lane.keep(line)
        // The device's line says it is free until it takes the next (a terminal only).
        lane.overwrite("finished \(entry.name)")
    }

    func backupStarted(_ name: String) {
        lane?.keep("Running \(name) again, beside the device that runs it: no experiment is left to start, and the first "
            + "to finish gives the result")
    }

    func experimentSuperseded(_ name: String) {
        lane?.keep("\(name): finished first on another device; stopped here")
    }

    /// On a board, the failure at once: the sweep reports it only once the other devices have
    /// finished their experiments. A stop (Ctrl-C) reaches every device and is reported once.
    func experimentFailed(_ name: String, error: any Error) {
        guard let lane, !(error is Interruption.Stopped) else { return }
        lane.keep("\(name) failed: \(error); the other devices finish the experiments they run, then the sweep stops")
    }
}
