import ArgumentParser

/// `signet`: the Signet engine and the MNIST activation-signature study.
@main
struct SignetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signet",
        abstract: "Train neural networks with OpenCL or the CPU, and study their activation signatures.",
        subcommands: [TrainCommand.self, EvaluateCommand.self, DevicesCommand.self, SelfTestCommand.self]
    )
}
