import ArgumentParser
import Datasets
import Foundation
import Learning
import Signatures

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
        let classes = try digits.map { try parseDigitList($0).sorted() } ?? trained
        let store = DatasetStore(dataDirectory: data.map { URL(fileURLWithPath: $0, isDirectory: true) })
        // Before the backend: a digit the model does not know fails without any device work.
        let examples = try choice.testExamples(from: store, classes: classes)
        let backend = try deviceOptions.makeBackend()
        let trainer = try stored.makeTrainer(on: backend, path: checkpoint)
        // Targets are one-hot over the model's classes, not over the evaluated subset.
        let test = try examples.trainingData(shape: trainer.model.spec.inputShape, classes: trained)
        let result = try TestResult(trainer: trainer, data: test, labels: trained)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(result.summary(digits: classes))
            print(MetricsTable(metrics: result.metrics, labels: trained.map(String.init), classHeading: "digit"))
        }
    }
}
