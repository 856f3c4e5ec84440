import ArgumentParser
import CPUFeatures
import Foundation
import OpenCL
import SignetBuild

/// `signet`: the Signet engine and the MNIST activation-signature study.
@main
struct SignetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signet",
        abstract: "Train neural networks with OpenCL or the CPU, and study their activation signatures.",
        version: SignetBuild.current.line,
        subcommands: [StudyCommand.self, SweepCommand.self, ReportCommand.self, TrainCommand.self, EvaluateCommand.self, SummaryCommand.self, BenchCommand.self, TuneCommand.self, DevicesCommand.self, SelfTestCommand.self]
    )

    /// `signet` alone: where to start, the main command first, instead of the full help.
    func run() throws {
        print(Self.overview)
    }

    static let overview = """
        signet \(SignetBuild.current.version): train neural networks on the CPU or OpenCL and study their activation signatures.

        Start here:
          signet study                  the 2021 study (1 and 7, 100 images each, anomalies 3 and 4),
                                        into ./study with its report, study/index.html
          signet study --preset modern --digits 1,7 --per-class all --out study-17
                                        the same question asked of every 1 and 7
          signet sweep                  the original's experiments, one folder each

        Also: train, evaluate, summary, report, bench, tune, devices, selftest.
        'signet help <command>' lists a command's options, 'signet --help' every command, 'signet --version' this build.
        """

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
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let stopped as Interruption.Stopped {
            FileHandle.standardError.write(Data("Error: \(stopped)\n".utf8))
            Foundation.exit(128 + stopped.signal)
        } catch let failure as OpenCLError where failure.code != nil {
            // A device call that failed under work (a kernel launch, a copy): the CPU backend
            // computes the same operations.
            FileHandle.standardError.write(Data("Error: \(failure); --device cpu computes on the CPU backend\n".utf8))
            Foundation.exit(1)
        } catch {
            exit(withError: error)
        }
    }
}
