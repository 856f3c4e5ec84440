import Foundation
import Testing

/// `signet tune` as a user runs it: it stores a tuning in the cache folder, `signet devices`
/// and later runs on the device use it, `--reset` removes it, and bad input gets one line.
@Suite("signet tune", .serialized)
struct TuneCommandTests {
    @Test func aTuningIsStoredShownUsedAndReset() throws {
        let folder = try temporaryFolder("tune")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Its own cache folder, and SIGNET_TUNING cleared: what the tune writes is what is read.
        let environment = ["SIGNET_CACHE_DIR": folder.path, "SIGNET_TUNING": ""]
        let tuned = try SignetProcess.run(["tune", "--shapes", "70x40x33", "--json"], environment: environment)
        #expect(tuned.status == 0, "stderr was: \(tuned.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(tuned.standardOutput.utf8)) as? [String: Any])
        let shapes = try #require(report["shapes"] as? [[String: Any]])
        #expect(shapes.count == 1)
        let search = try #require(shapes.first?["search"] as? [String: Any])
        let timed = try #require(search["timed"] as? Int), size = try #require(report["spaceSize"] as? Int)
        #expect(timed > 3 && timed < size, "a bounded search times part of the \(size) choices")
        #expect((search["rejected"] as? [Any])?.isEmpty == true)
        let stored = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("tuning").path)
        #expect(stored.count == 1 && stored[0].hasSuffix(".json"))

        let devices = try SignetProcess.run(["devices"], environment: environment)
        #expect(devices.standardOutput.contains("kernels: tuned"), "stdout was: \(devices.standardOutput)")
        #expect(devices.standardOutput.contains("GEMM 70x33 * 33x40:"))

        let training = try SignetProcess.run(["train", "--digits", "1,7", "--per-class", "10", "--epochs", "1",
                                              "--device", "opencl:0", "--quiet"], environment: environment)
        #expect(training.status == 0, "stderr was: \(training.standardError)")
        #expect(training.standardError.contains("GEMM tuned"), "the run uses the tuning: \(training.standardError)")

        var pinned = environment
        pinned["SIGNET_TUNING"] = "defaults"
        #expect(try SignetProcess.run(["devices"], environment: pinned).standardOutput.contains("kernels: defaults for"))

        let reset = try SignetProcess.run(["tune", "--reset"], environment: environment)
        #expect(reset.status == 0 && reset.standardOutput.contains("Removed the tuning"))
        #expect(try SignetProcess.run(["devices"], environment: environment).standardOutput.contains("kernels: defaults for"))
    }

    @Test(arguments: [(["tune", "--device", "cpu"], "the CPU backend has no kernels to tune"),
                      (["tune", "--device", "opencl:99"], "no OpenCL device 99"),
                      (["tune", "--device", "tpu"], "unknown device 'tpu'"),
                      (["tune", "--shapes", "10x0x5"], "'10x0x5' is not MxNxK"),
                      (["tune", "--shapes", "256"], "'256' is not MxNxK")])
    func badInputGivesOneClearLine(arguments: [String], message: String) throws {
        let folder = try temporaryFolder("tune-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try SignetProcess.run(arguments, environment: ["SIGNET_CACHE_DIR": folder.path])
        #expect(outcome.status != 0)
        #expect(outcome.errorLines.count == 1 && outcome.errorLines[0].contains(message), "stderr was: \(outcome.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("tuning").path), "nothing stored")
    }
}
