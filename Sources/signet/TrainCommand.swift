import ArgumentParser
import Datasets
import Engine
import Foundation
import Learning
import Signatures

/// `signet train`: train a model on an MNIST subset, report its test metrics, save a checkpoint.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the study's network on chosen digits and report test metrics.",
        discussion: """
            Defaults: all digits, all images, hidden 32,64, cross-entropy, Adam 1e-3, batch 32, 10 epochs. \
            --preset original is the 2021 study (digits 1 and 7, first 100 images each, 32,16, MSE, Adam 1e-4, \
            batch 12, 15 epochs); explicit flags override a preset. The test set is every test image of the kept digits.
            """)

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var deviceOptions: DeviceOptions

    @Option(help: ArgumentHelp("Write a checkpoint (safetensors) here, atomically, during and after training.", valueName: "path"))
    var save: String?

    @Option(name: .customLong("checkpoint-every"), help: ArgumentHelp("With --save: checkpoint every N epochs.", valueName: "n"))
    var checkpointEvery: Int = 1

    @Option(help: ArgumentHelp("Continue training from a checkpoint, with its data and settings (--epochs may raise the total).",
                               valueName: "path"))
    var resume: String?

    @Option(help: ArgumentHelp("K-fold cross-validation on the training images: report the mean and spread of the fold scores.",
                               valueName: "k"))
    var folds: Int?

    @Flag(help: "Print the history and metrics as JSON.")
    var json = false

    @Flag(help: "Hide the model summary and the progress bar (the epoch lines stay).")
    var quiet = false

    func validate() throws {
        if checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be at least 1") }
        if let save { try Self.checkWritable(save) }
        if let folds {
            guard folds >= 2 else { throw ValidationError("--folds must be at least 2, got \(folds)") }
            guard save == nil, resume == nil else { throw ValidationError("--folds trains K throwaway models: it takes no --save or --resume") }
        }
        if resume != nil {
            let fixed = (modelOptions.givenFlags + dataOptions.givenSelectionFlags).filter { $0 != "--epochs" }
            if !fixed.isEmpty {
                throw ValidationError("--resume continues with the checkpoint's data and settings, so \(fixed.joined(separator: ", ")) "
                    + "cannot be given; only --epochs, --device, --save, --checkpoint-every and --json may change")
            }
        }
    }

    func run() throws {
        let fault = try FaultHook.fromEnvironment()
        Interruption.install()
        let backend = try deviceOptions.makeBackend()
        let store = dataOptions.store()
        let (choice, trainer) = try prepare(backend: backend, store: store)
        let examples = try choice.trainingExamples(from: store)
        let inputShape = trainer.model.spec.inputShape
        var training = try examples.trainingData(shape: inputShape), validation: TrainingData?
        if let split = trainer.configuration.validationSplit {
            (training, validation) = try training.splitLast(split)
        } else if choice.validateOnTest {
            validation = try choice.testExamples(from: store).trainingData(shape: inputShape)
        }
        if let folds {
            let report = try CrossValidation(folds: folds, spec: trainer.model.spec, configuration: trainer.configuration)
                .run(on: training, backend: backend) { fold, accuracy in
                    printError("Fold \(fold)/\(folds): accuracy \(MetricText.percent(accuracy))")
                }
            try emit(report, text: report.text)
            return
        }
        let console = ConsoleReporter(json: json)
        console.note("Training on \(training.count) \(choice.dataset.rawValue) images of digits "
            + "\(choice.subset.classes.map(String.init).joined(separator: ", "))"
            + (validation.map { ", validating on \($0.count)" } ?? ""))
        let saver = save.map { CheckpointSaver(url: URL(fileURLWithPath: $0), every: checkpointEvery, choice: choice) }
        try trainer.fit(training, validation: validation, observer: TrainingProgress(console: console, saver: saver, quiet: quiet, fault: fault))
        try saver?.saveFinal(trainer)
        let test = try choice.testExamples(from: store)
        let report = try TrainingReport(trainer: trainer, backend: backend, choice: choice,
                                        test: test.trainingData(shape: inputShape),
                                        checkpoint: save)
        try emit(report, text: report.text)
    }

    /// Fails now, before any training, if a checkpoint could not be written at `path`.
    static func checkWritable(_ path: String) throws {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ValidationError("--save \(path) is a folder; give a file path such as \(path)/model.safetensors")
        }
        let folder = url.deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue,
              FileManager.default.isWritableFile(atPath: folder.path) else {
            throw ValidationError("--save \(path): the folder \(folder.path) does not exist or is not writable")
        }
    }

    /// The data choice and a trainer: fresh from the flags, or restored from `--resume`.
    private func prepare(backend: any Backend, store: DatasetStore) throws -> (DataChoice, Trainer) {
        if let resume {
            let checkpoint = try Checkpoint.read(from: URL(fileURLWithPath: resume))
            let choice = try DataChoice(checkpoint: checkpoint, path: resume)
            var configuration = checkpoint.configuration
            if let epochs = modelOptions.epochs { configuration.epochs = epochs }
            guard configuration.epochs > checkpoint.epochsCompleted else {
                throw CLIFailure("checkpoint \(resume) has already trained \(checkpoint.epochsCompleted) of \(configuration.epochs) epochs; raise --epochs to train more")
            }
            return (choice, try checkpoint.makeTrainer(on: backend, configuration: configuration, path: resume))
        }
        let settings = modelOptions.settings
        let configuration = modelOptions.trainingConfiguration()
        let classes = try dataOptions.parsedDigits() ?? settings.digits ?? Array(0...9)
        let subset = SubsetSpecification(classes: classes.sorted(), perClass: dataOptions.imagesPerClass(else: settings.perClass),
                                         selection: dataOptions.randomSelection ? .random(seed: configuration.seed) : .first)
        let choice = DataChoice(dataset: dataOptions.dataset, subset: subset, validateOnTest: modelOptions.validateOnTest)
        var generator = SeededGenerator(seed: configuration.seed)
        let spec = try modelOptions.modelSpec(classes: classes.count)
        let model = try Sequential(spec: spec, backend: backend, generator: &generator)
        return (choice, try Trainer(model: model, configuration: configuration, generator: generator))
    }

    private func emit<T: Encodable>(_ value: T, text: String) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(value), as: UTF8.self))
        } else {
            print(text)
        }
    }
}

/// Writes the trainer's checkpoint every `every` epochs and at the end, atomically.
final class CheckpointSaver {
    let url: URL
    let every: Int
    let choice: DataChoice
    /// The epochs completed at the last checkpoint this run wrote; -1 before the first.
    private(set) var savedEpoch = -1

    init(url: URL, every: Int, choice: DataChoice) {
        self.url = url
        self.every = every
        self.choice = choice
    }

    func epochEnded(_ trainer: Trainer) throws {
        if trainer.epochsCompleted % every == 0 { try write(trainer) }
    }

    func saveFinal(_ trainer: Trainer) throws {
        if savedEpoch != trainer.epochsCompleted { try write(trainer) }
    }

    private func write(_ trainer: Trainer) throws {
        do {
            try Checkpoint(trainer: trainer, data: choice).write(to: url)
        } catch let error as LearningError {
            throw error
        } catch {
            throw CLIFailure("cannot write checkpoint \(url.path): \(error.localizedDescription)")
        }
        savedEpoch = trainer.epochsCompleted
    }
}
