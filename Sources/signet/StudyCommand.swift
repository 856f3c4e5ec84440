import ArgumentParser
import CommandLineFiles
import Datasets
import Engine
import Foundation
import Learning
import Report
import Signatures

/// `signet study`: the activation-signature study, end to end, and its files.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Train a model, cluster its hidden layers' signatures, follow every image's path, insert anomalies.",
        discussion: """
            With no flags it reproduces the 2021 study: --preset original (784-32-16-2, MSE, Adam 1e-4, batch 12, \
            15 epochs) on the first 100 training images of 1 and 7, anomalies 3 and 4, k = 2 ... 10 chosen by \
            silhouette, K-means with 100 restarts. --digits without --anomalies means no anomalies. Every signet \
            train flag works but --folds and --resume. Writes DIR/result.json, DIR/signatures.safetensors and \
            DIR/paths.csv, and prints the answers to the study's three questions.
            """)

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var deviceOptions: DeviceOptions

    @Option(help: ArgumentHelp("Study a trained model (a checkpoint written by signet train --save) instead of training one.",
                               valueName: "path"))
    var checkpoint: String?

    @Option(help: ArgumentHelp("Layers to study, by name, e.g. hidden_1,hidden_2 (default: every conv, pool and dense hidden layer).",
                               valueName: "names"))
    var layers: String?

    @Option(name: .customLong("k"), help: ArgumentHelp(
        "Fix k instead of choosing it by silhouette: one value for every layer (3) or one per layer (3,4).", valueName: "k"))
    var fixedK: String?

    @Option(help: ArgumentHelp("Largest candidate k (the smallest is 2).", valueName: "k"))
    var kmax: Int?

    @Option(name: .customLong("n-init"), help: ArgumentHelp(
        "K-means restarts of every clustering (default: 100 with the original preset, else 10).", valueName: "n"))
    var nInit: Int?

    @Option(help: ArgumentHelp("Classes the model never saw to insert, e.g. 3,4, or none (default: 3,4 when the digits are the original's 1 and 7 and --digits is not given).",
                               valueName: "list"))
    var anomalies: String?

    @Flag(name: .customLong("anomalies-together"), help: "Insert every anomaly class into one analysis instead of one analysis each.")
    var anomaliesTogether = false

    @Option(help: ArgumentHelp("Repeat the whole study, training included, with seeds --seed ... --seed + N - 1.", valueName: "n"))
    var seeds: Int = 1

    @Option(help: "Images analysed: train (the images the model saw), test (the test images of its digits), or all.")
    var analyze: AnalysisSet = .train

    @Flag(inversion: .prefixedNo, help: "Standardize each signature unit over the analysis set (zero mean, unit variance).")
    var standardize = true

    @Flag(inversion: .prefixedNo, help: "Map every studied layer to 2-D with UMAP (and score the map's trustworthiness).")
    var umap = true

    @Option(name: .customLong("umap-neighbors"), help: ArgumentHelp("UMAP's n_neighbors, the point itself included (default 15).",
                                                                   valueName: "n"))
    var umapNeighbors: Int?

    @Option(name: .customLong("umap-min-dist"), help: ArgumentHelp("UMAP's min_dist (default 0.1).", valueName: "distance"))
    var umapMinDist: Double?

    @Flag(name: .customLong("umap-input"), help: "Also map the analysis images' raw pixels.")
    var umapInput = false

    @Option(help: ArgumentHelp("Write a checkpoint of the trained model here (one seed only).", valueName: "path"))
    var save: String?

    @Option(name: .customLong("checkpoint-every"), help: ArgumentHelp("With --save: checkpoint every N epochs.", valueName: "n"))
    var checkpointEvery: Int = 1

    @Option(help: ArgumentHelp("Read settings from a JSON file: keys are these flags' names without dashes "
        + "({\"digits\": [1, 7], \"n-init\": 10}); flags given here override it.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Folder for result.json, signatures.safetensors and paths.csv.", valueName: "dir"))
    var out: String = "study"

    @Flag(help: "Print the whole result as JSON (result.json's content) instead of the summary.")
    var json = false

    @Option(help: ArgumentHelp("Continue the study a kill or a stop left unfinished in this folder (its --out), with the settings "
        + "it started with: seeds whose run finished are read back, a trained model is not trained again, a clustered or mapped "
        + "layer is not clustered or mapped again. Only --device, "
        + "--data, --save, --checkpoint-every, --json and --quiet may be given with it.", valueName: "dir"))
    var resume: String?

    @Flag(help: "Hide the model summary and the progress bar (the phase and epoch lines stay).")
    var quiet = false

    func validate() throws {
        if seeds < 1 { throw ValidationError("--seeds must be at least 1, got \(seeds)") }
        if let kmax, kmax < 2 { throw ValidationError("--kmax must be at least 2, got \(kmax)") }
        if let nInit, nInit < 1 { throw ValidationError("--n-init must be at least 1, got \(nInit)") }
        if let umapNeighbors, umapNeighbors < 2 { throw ValidationError("--umap-neighbors must be at least 2, got \(umapNeighbors)") }
        if let umapMinDist, !(umapMinDist >= 0 && umapMinDist <= 1) {
            throw ValidationError("--umap-min-dist must be between 0 and 1 (UMAP's spread), got \(umapMinDist)")
        }
        if !umap, umapNeighbors != nil || umapMinDist != nil || umapInput {
            throw ValidationError("--no-umap makes no maps: --umap-neighbors, --umap-min-dist and --umap-input do not apply")
        }
        if checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be at least 1") }
        if let fixed = try parsedK(), let kmax, let large = fixed.first(where: { $0 > kmax }) {
            throw ValidationError("--k \(large) is above --kmax \(kmax)")
        }
        _ = try parsedAnomalies()
        _ = try parsedLayers()
        if let save {
            guard seeds == 1 else { throw ValidationError("--save keeps one model; with --seeds \(seeds) there are \(seeds)") }
            guard checkpoint == nil else { throw ValidationError("--save writes a trained model; --checkpoint trains none") }
            try TrainCommand.checkWritable(save)
        }
        if checkpoint != nil {
            let training = modelOptions.givenFlags.filter { $0 != "--seed" }
            if !training.isEmpty {
                throw ValidationError("--checkpoint studies a trained model: training flags (\(training.joined(separator: ", "))) do not apply")
            }
            if seeds > 1 { throw ValidationError("--seeds retrains the model; a checkpoint is one trained model") }
        }
        if let resume {
            let fixed = modelOptions.givenFlags + dataOptions.givenSelectionFlags + givenStudyFlags
            if !fixed.isEmpty {
                throw ValidationError("--resume continues the study with the settings it started with, so \(fixed.joined(separator: ", ")) "
                    + "cannot be given; only --device, --data, --save, --checkpoint-every, --json and --quiet may")
            }
            try Self.checkFolder(resume, flag: "--resume")
        } else {
            try Self.checkFolder(out, flag: "--out")
        }
    }

    /// The flags of the study itself given (those of its data and model aside), by name: the
    /// settings a resumed study takes from its journal.
    private var givenStudyFlags: [String] {
        let given: [(String, Bool)] = [
            ("--checkpoint", checkpoint != nil), ("--layers", layers != nil), ("--k", fixedK != nil), ("--kmax", kmax != nil),
            ("--n-init", nInit != nil), ("--anomalies", anomalies != nil), ("--anomalies-together", anomaliesTogether),
            ("--seeds", seeds != 1), ("--analyze", analyze != .train), ("--no-standardize", !standardize), ("--no-umap", !umap),
            ("--umap-neighbors", umapNeighbors != nil), ("--umap-min-dist", umapMinDist != nil), ("--umap-input", umapInput),
            ("--config", config != nil), ("--out", out != "study"),
        ]
        return given.filter(\.1).map(\.0)
    }

    func run() throws {
        Interruption.install()
        if let config {
            // The file's settings come first, so that every flag given here overrides them.
            guard let contents = FileManager.default.contents(atPath: config) else {
                throw CLIFailure("--config \(config): cannot read the file")
            }
            let fileArguments: [String]
            do { fileArguments = try StudyConfigFile.arguments(from: contents, file: config) } catch let problem as StudyConfigFile.Problem {
                throw CLIFailure(problem.description)
            }
            var merged: StudyCommand
            do {
                merged = try Self.parse(fileArguments + StudyConfigFile.removingConfig(from: Array(CommandLine.arguments.dropFirst(2))))
            } catch {
                // The flags given were parsed once already: what fails now is the file's.
                throw CLIFailure("--config \(config): " + Self.message(for: error))
            }
            merged.config = nil
            try merged.run()
            return
        }
        let folderPath = resume ?? out
        let folder = URL(fileURLWithPath: folderPath, isDirectory: true)
        let resumed = try resume.map { _ in try StudyJournal.open(in: folder) }
        let configuration = try resumed?.header.configuration ?? studyConfiguration()
        if save != nil, configuration.seeds > 1 { throw CLIFailure("--save keeps one model; the study has \(configuration.seeds) seeds") }
        // Checked and loaded before the backend is made: bad input costs no device set-up.
        let study = try Study(configuration, store: dataOptions.store())
        let backend = try deviceOptions.makeBackend()
        let progress = StudyProgress(save: save, every: checkpointEvery, data: configuration.data, quiet: quiet,
                                     fault: try FaultHook.fromEnvironment())
        // What the study finishes is journaled in the folder as it goes, for --resume.
        let journal = try resumed ?? StudyJournal.start(in: folder, configuration: configuration, backend: backend)
        let outcome: StudyOutcome
        do {
            outcome = try study.run(on: backend, observer: progress, journal: journal)
        } catch let stopped as Interruption.Stopped {
            throw stopped.adding("signet study --resume \(folderPath) continues it")
        }
        try StudyFiles.write(outcome, to: folder)
        journal.remove()
        let page = try Report.writeStudy(outcome.result, to: folder, store: dataOptions.store())
        if json {
            print(String(decoding: try StudyFiles.resultJSON(outcome.result), as: UTF8.self))
        } else {
            print(StudySummary(outcome.result).text)
            print("\nWrote \(folderPath)/\(StudyFiles.resultName), \(folderPath)/\(StudyFiles.signaturesName), \(folderPath)/\(StudyFiles.pathsName)")
            print("Report: \(page.path)")
        }
    }

    /// The study the flags describe: the original's defaults, a preset's, or a checkpoint's, then the flags.
    func studyConfiguration() throws -> StudyConfiguration {
        let digits = try dataOptions.parsedDigits()
        let data: DataChoice, model: ModelSource
        var presetInForce: Preset?
        if let checkpoint {
            let read = try Checkpoint.read(from: URL(fileURLWithPath: checkpoint))
            let trained = try DataChoice(checkpoint: read, path: checkpoint)
            var subset = trained.subset
            if let digits { subset.classes = digits.sorted() }
            subset.perClass = dataOptions.imagesPerClass(else: subset.perClass)
            if dataOptions.randomSelection { subset.selection = .random(seed: modelOptions.seed) }
            data = DataChoice(dataset: dataOptions.datasetFlag ?? trained.dataset, subset: subset, validateOnTest: trained.validateOnTest)
            // Absolute: the journal, and so a resume from another working folder, reads the same file.
            model = .checkpoint(path: URL(fileURLWithPath: checkpoint).standardizedFileURL.path)
        } else {
            // The study's data defaults are the original's (1 and 7, 100 each) unless a preset says otherwise.
            presetInForce = modelOptions.preset ?? (modelOptions.model == .multilayerPerceptron ? .original : nil)
            let dataDefaults = (modelOptions.preset ?? .original).settings
            let training = modelOptions.trainingConfiguration(defaultPreset: .original)
            let classes = (digits ?? dataDefaults.digits ?? Array(0...9)).sorted()
            let subset = SubsetSpecification(classes: classes, perClass: dataOptions.imagesPerClass(else: dataDefaults.perClass),
                                             selection: dataOptions.randomSelection ? .random(seed: training.seed) : .first)
            data = DataChoice(dataset: dataOptions.dataset, subset: subset, validateOnTest: modelOptions.validateOnTest)
            model = .train(model: try modelOptions.modelSpec(classes: classes.count, defaultPreset: .original), training: training)
        }
        // The original inserted 3s and 4s into its 1/7 study (a 1/7 checkpoint included); naming
        // digits means choosing anomalies too.
        let originalDigits = digits == nil && data.subset.classes.sorted() == [1, 7]
        let kRange = 2...(kmax ?? 10)
        return StudyConfiguration(
            data: data, model: model, layers: try parsedLayers(), standardize: standardize, kRange: kRange, fixedK: try parsedK(),
            restarts: nInit ?? (presetInForce == .original ? 100 : 10),
            anomalies: try parsedAnomalies() ?? (originalDigits ? [3, 4] : []), anomaliesTogether: anomaliesTogether,
            seed: modelOptions.seed, seeds: seeds, analyze: analyze,
            umap: umap ? UMAPConfiguration(neighbors: umapNeighbors ?? 15, minDist: umapMinDist ?? 0.1) : nil, umapInput: umapInput)
    }

    private func parsedK() throws -> [Int]? {
        guard let fixedK else { return nil }
        let values = fixedK.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else {
            throw ValidationError("--k takes one k or one per layer separated by commas, e.g. 3 or 3,4; got '\(fixedK)'")
        }
        if let small = values.first(where: { $0! < 2 }) {
            throw ValidationError("--k must be at least 2 (a silhouette compares clusters), got \(small!)")
        }
        return values.map { $0! }
    }

    private func parsedAnomalies() throws -> [Int]? {
        guard let anomalies else { return nil }
        if anomalies == "none" { return [] }
        do {
            return try parseDigitList(anomalies)
        } catch {
            throw ValidationError("--anomalies: \(error)")
        }
    }

    private func parsedLayers() throws -> [String]? {
        guard let layers else { return nil }
        let names = layers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ValidationError("--layers names no layer") }
        return names
    }

    /// Fails now, before any work, if the output folder could not be made or written; `flag`
    /// names the option the path came from in the message.
    static func checkFolder(_ path: String, flag: String) throws {
        var isDirectory: ObjCBool = false
        var folder = URL(fileURLWithPath: path, isDirectory: true)
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ValidationError("\(flag) \(path) is a file; give a folder") }
        } else {
            // The nearest existing ancestor must be a writable folder.
            while !FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
                folder.deleteLastPathComponent()
            }
            guard isDirectory.boolValue else { throw ValidationError("\(flag) \(path): \(folder.path) is a file") }
        }
        guard FileManager.default.isWritableFile(atPath: folder.path) else {
            throw ValidationError("\(flag) \(path): \(folder.path) is not writable")
        }
    }
}

extension AnalysisSet: ExpressibleByArgument {}
