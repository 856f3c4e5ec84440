import ArgumentParser
import CPUFeatures
import Foundation

/// `signet`: the Signet engine and the MNIST activation-signature study.
@main
struct SignetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signet",
        abstract: "Train neural networks with OpenCL or the CPU, and study their activation signatures.",
        subcommands: [StudyCommand.self, SweepCommand.self, ReportCommand.self, TrainCommand.self, EvaluateCommand.self, BenchCommand.self, DevicesCommand.self, SelfTestCommand.self]
    )

    static func main() {
        #if SIGNET_AVX2
        // A release build's Engine uses AVX2 and FMA instructions: without them the first CPU
        // loop would die on an illegal instruction, so refuse before any of it runs.
        guard signet_cpu_supports_engine_build() == 1 else {
            FileHandle.standardError.write(Data(
                "Error: this build of signet needs a processor with AVX2 and FMA; rebuild with SIGNET_PORTABLE=1 swift build -c release\n".utf8))
            Foundation.exit(1)
        }
        #endif
        main(nil)
    }
}
