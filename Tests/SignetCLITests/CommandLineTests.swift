import Foundation
import Testing

/// The `signet` binary end to end: what it prints, how it fails.
@Suite("signet command line", .serialized)
struct CommandLineTests {
    /// An output path under a file (ENOTDIR; permission bits do not stop root) is refused by
    /// every command that writes, in one line, before any work, and the file is left as it was.
    @Test(arguments: [
        (["train", "--digits", "1,7", "--per-class", "10", "--epochs", "1", "--save", "PARENT/model.safetensors"], "does not exist or is not writable"),
        (["study", "--digits", "1,7", "--per-class", "20", "--out", "PARENT/study"], "is a file"),
        (["sweep", "--only", "01", "--out", "PARENT/sweep"], "is a file"),
        (["bench", "gemm", "--gemm-sizes", "8", "--out", "PARENT/bench"], "is a file"),
    ])
    func outputsUnderAFileAreRefused(arguments: [String], message: String) throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("signet-file-\(UUID().uuidString)")
        try Data("kept".utf8).write(to: parent)
        defer { try? FileManager.default.removeItem(at: parent) }
        let outcome = try SignetProcess.run(arguments.map { $0.replacingOccurrences(of: "PARENT", with: parent.path) } + ["--device", "cpu"])
        #expect(outcome.status != 0)
        let errors = outcome.errorLines
        #expect(errors.count == 1 && errors[0].contains(parent.path) && errors[0].contains(message), "stderr was: \(outcome.standardError)")
        #expect(!outcome.standardOutput.contains("Epoch"), "refused before any work")
        #expect(try Data(contentsOf: parent) == Data("kept".utf8))
    }

    @Test func devicesAsJSON() throws {
        let outcome = try SignetProcess.run(["devices", "--json"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any]
        let devices = try #require(object?["devices"] as? [[String: Any]])
        #expect(!devices.isEmpty, "CI installs PoCL, so at least one device is listed")
        for device in devices {
            for key in ["name", "type", "driverVersion", "computeUnits", "globalMemoryBytes", "localMemoryBytes", "maxWorkGroupSize"] {
                #expect(device[key] != nil, "device entry lacks \(key)")
            }
        }
        // What auto picks agrees with the entry marked as picked (the CPU backend when none is).
        let auto = try #require(object?["auto"] as? String)
        let marked = devices.filter { $0["autoPick"] as? Bool == true }.compactMap { $0["selector"] as? String }
        #expect(marked.isEmpty ? auto == "cpu" : marked == [auto])
    }

    @Test func devicesAsText() throws {
        let outcome = try SignetProcess.run(["devices"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.contains("[opencl:0]"))
        #expect(outcome.standardOutput.contains("--device auto picks"))
    }

    @Test(arguments: ["reference", "packed", "tiled"])
    func selftestPassesOnOpenCL(gemm: String) throws {
        let outcome = try SignetProcess.run(["selftest", "--device", "opencl", "--gemm", gemm])
        #expect(outcome.status == 0, "\(outcome.standardOutput)\n\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("checks passed"))
        #expect(outcome.standardError.contains("Using OpenCL backend"), "the command says which device it took")
    }

    @Test func selftestSaysWhyAutoChoseItsBackend() throws {
        let outcome = try SignetProcess.run(["selftest", "--json"])
        #expect(outcome.status == 0)
        #expect(outcome.standardError.contains("auto:"))
        let results = try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [[String: Any]]
        #expect((results?.count ?? 0) > 60, "every operation, on several shapes")
    }

    @Test(arguments: [(["selftest", "--device", "tpu"], [String: String](), "unknown device 'tpu'"),
                      (["selftest"], ["SIGNET_DEVICE": "quantum"], "SIGNET_DEVICE"),
                      (["selftest", "--device", "opencl:99"], [:], "no OpenCL device 99"),
                      (["selftest", "--gemm", "fastest"], [:], "fastest")])
    func badInputGivesOneClearLine(arguments: [String], environment: [String: String], message: String) throws {
        let outcome = try SignetProcess.run(arguments, environment: environment)
        #expect(outcome.status != 0)
        let errorLine = outcome.errorLines.first
        #expect(errorLine?.contains(message) == true, "stderr was: \(outcome.standardError)")
        #expect(!outcome.standardError.contains("Fatal error"), "bad input must not crash")
    }
}
