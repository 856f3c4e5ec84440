import ArgumentParser
import Engine
import Foundation

/// `signet selftest`: runs every engine operation on the chosen backend and compares it with the
/// CPU reference on odd shapes, so a user can trust a new driver or device before training on it.
struct SelfTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Check every engine operation on a device against the CPU reference.",
        discussion: "Exits with status 1 if any operation disagrees beyond its tolerance."
    )

    @OptionGroup var deviceOptions: DeviceOptions

    @Option(help: "Force a GEMM kernel on an OpenCL device: reference, packed or tiled.")
    var gemm: GEMMVariant?

    @Flag(help: "Print the results as JSON.")
    var json = false

    func run() throws {
        let backend = try deviceOptions.makeBackend(gemm: gemm)
        let results = try SelfTest(backend: backend, reference: CPUBackend()).run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            // A check that produced NaN or infinity has an infinite worst error, which JSON has
            // no number for: without this the failing run would end in an encoding error.
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
        } else {
            for result in results {
                let verdict = result.passed ? "ok  " : "FAIL"
                print("\(verdict) \(result.operation.padding(toLength: 44, withPad: " ", startingAt: 0)) "
                    + "worst error \(String(format: "%.2g", result.worstError))x tolerance")
            }
        }
        let failures = results.filter { !$0.passed }
        if !failures.isEmpty {
            throw CLIFailure("\(failures.count) of \(results.count) checks failed on \(backend.description)")
        }
        if !json { print("\(results.count) checks passed on \(backend.description)") }
    }
}

extension GEMMVariant: ExpressibleByArgument {}
