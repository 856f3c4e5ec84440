import ArgumentParser
import Datasets
import Foundation
import Learning

/// `signet evaluate`: a checkpoint's metrics on the test images of its digits.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Report a saved model's test metrics (every test image of its digits, or of --digits).")

    @Option(help: ArgumentHelp("The checkpoint to evaluate.", valueName: "path"))
    var checkpoint: String

    @Option(help: ArgumentHelp("Evaluate on these of the model's digits only, e.g. 7.", valueName: "list"))
    var digits: String?

    @Option(help: ArgumentHelp("Folder holding the dataset files.", valueName: "dir"))
    var data: String?

    @OptionGroup var deviceOptions: DeviceOptions

    @Flag(help: "Print the metrics as JSON.")
    var json = false

    func validate() throws {
        if let digits {
            do { _ = try parseDigitList(digits) } catch { throw ValidationError("--digits: \(error)") }
        }
    }

    func run() throws {
        let stored = try Checkpoint.read(from: URL(fileURLWithPath: checkpoint))
        let choice = try DataChoice(checkpoint: stored, path: checkpoint)
        let trained = choice.subset.classes
        var classes = trained
        if let digits {
            classes = try parseDigitList(digits).sorted()
            if let unknown = classes.first(where: { !trained.contains($0) }) {
                throw CLIFailure("digit \(unknown) is not one of the model's classes (\(trained.map(String.init).joined(separator: ", ")))")
            }
        }
        let backend = try deviceOptions.makeBackend()
        let trainer = try stored.makeTrainer(on: backend, path: checkpoint)
        let store = DatasetStore(dataDirectory: data.map { URL(fileURLWithPath: $0, isDirectory: true) })
        let examples = try choice.testExamples(from: store, classes: classes)
        // Targets are one-hot over the model's classes, not over the evaluated subset.
        let targets = examples.originalLabels.flatMap { label in trained.map { $0 == label ? Float(1) : 0 } }
        let test = try TrainingData(features: examples.features, targets: targets, featureShape: trainer.model.spec.inputShape,
                                    classes: trained.count)
        let result = try TestResult(trainer: trainer, data: test, digits: trained)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print("Test: \(result.count) images of digits \(classes.map(String.init).joined(separator: ", "))"
                + "  loss \(format(result.loss, 4))  accuracy \(percent(result.metrics.accuracy))")
            print(MetricsTable(metrics: result.metrics, labels: trained.map(String.init)).lines.joined(separator: "\n"))
        }
    }
}
