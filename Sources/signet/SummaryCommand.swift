import ArgumentParser
import Engine
import Foundation
import Learning

/// `signet summary`: a model layer by layer, as Keras's `model.summary()`, from the model flags
/// (as `signet train` would build it) or from a checkpoint.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Show a model layer by layer: output shapes, parameters, activations, training memory per batch.",
        discussion: """
            The model of the model flags, with as many outputs as --digits keeps (as signet train builds it), or the one \
            a checkpoint holds. signet train, study and sweep print the same before they train (--quiet hides it).
            """)

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var deviceOptions: DeviceOptions

    @Option(help: ArgumentHelp("Show the model of this checkpoint instead of the model flags.", valueName: "path"))
    var checkpoint: String?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        let summary: ModelSummary
        if let checkpoint {
            let stored = try Checkpoint.read(from: URL(fileURLWithPath: checkpoint))
            summary = try ModelSummary(spec: stored.model, batch: modelOptions.batchSize ?? stored.configuration.batchSize,
                                       optimizer: stored.configuration.optimizer)
        } else {
            let configuration = modelOptions.trainingConfiguration()
            let classes = try dataOptions.parsedDigits() ?? modelOptions.settings.digits ?? Array(0...9)
            summary = try ModelSummary(spec: try modelOptions.modelSpec(classes: classes.count), batch: configuration.batchSize,
                                       optimizer: configuration.optimizer)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(summary.table(device: try deviceOptions.makeBackend(announce: false).description))
        }
    }
}
