import Foundation
import Testing

/// `signet sweep` through the built binary, reduced: two experiments, 20 images per digit,
/// `--n-init 2 --kmax 4`, one seed.
@Suite("signet sweep", .serialized)
struct SweepCommandTests {
    static let reduced = ["--only", "01,17", "--per-class", "20", "--n-init", "2", "--kmax", "4", "--device", "cpu"]

    func sweep(_ arguments: [String], out: URL) throws -> SignetProcess.Outcome {
        try SignetProcess.run(["sweep"] + arguments + ["--out", out.path])
    }

    func index(_ out: URL) throws -> [[String: Any]] {
        let data = try Data(contentsOf: out.appendingPathComponent("index.json"))
        let index = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(index["schema"] as? String == "signet.sweep/1")
        return try #require(index["entries"] as? [[String: Any]])
    }

    @Test func aReducedSweepWritesItsFoldersAndIndexAndSkipsWhatIsComplete() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("signet-sweep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }

        let first = try sweep(Self.reduced, out: out)
        #expect(first.status == 0, "\(first.standardError)")
        for name in ["signature_01_20", "signature_17_20"] {
            for file in ["result.json", "signatures.safetensors", "paths.csv"] {
                #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).appendingPathComponent(file).path),
                        "\(name)/\(file)")
            }
            #expect(first.standardError.contains("\(name): 784-32-16-2, accuracy "), "a line as each experiment finishes")
        }
        #expect(first.standardOutput.contains("| signature_17_20 "), "the final table")
        var entries = try index(out)
        #expect(entries.map { $0["name"] as? String } == ["signature_01_20", "signature_17_20"])
        #expect(entries.map { $0["classes"] as? [Int] } == [[0, 1], [1, 7]])
        #expect(entries.allSatisfy { ($0["reused"] as? Bool) == false })
        #expect(entries.allSatisfy { ($0["layers"] as? [[String: Any]])?.count == 2 }, "both hidden layers' headlines")
        let auc = try #require(entries[1]["anomalyAUC"] as? [String: Any])
        #expect(Set(auc.keys) == ["3", "4"], "1/7 places its anomalies 3 and 4")
        #expect((entries[0]["anomalyAUC"] as? [String: Any])?.isEmpty == true, "0/1 has no anomalies")
        let result = out.appendingPathComponent("signature_17_20/result.json")
        let written = try FileManager.default.attributesOfItem(atPath: result.path)[.modificationDate] as? Date

        let again = try sweep(Self.reduced, out: out)
        #expect(again.status == 0, "\(again.standardError)")
        #expect(again.standardError.contains("signature_17_20") && again.standardError.contains("complete already, not run again"))
        #expect(!again.standardError.contains("Running "), "nothing runs again")
        entries = try index(out)
        #expect(entries.allSatisfy { ($0["reused"] as? Bool) == true })
        #expect(try FileManager.default.attributesOfItem(atPath: result.path)[.modificationDate] as? Date == written,
                "a complete result is left as it is")

        // Other settings: the result no longer matches, so the experiment runs again.
        let changed = try sweep(Self.reduced.map { $0 == "4" ? "3" : $0 }, out: out)
        #expect(changed.status == 0, "\(changed.standardError)")
        #expect(changed.standardError.contains("Running signature_17_20"))
        entries = try index(out)
        #expect(entries.allSatisfy { ($0["reused"] as? Bool) == false })
    }

    /// A sweep killed in its second experiment, after that study's training: `--resume DIR`
    /// takes the experiments from the folder's sweep.json, keeps the finished one and continues
    /// the other from its journal, without training it again.
    @Test func aKilledSweepResumesFromItsFolder() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("signet-sweep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        // 01 has 11 - 4 = 7 phases (no anomalies: no insertion, no placing); phase 10 is the
        // 17 study's second after training.
        let killed = try SignetProcess.run(["sweep"] + Self.reduced + ["--quiet", "--out", out.path],
                                           environment: ["SIGNET_FAULT": "kill:phase=10"])
        #expect(killed.killedBySignal && killed.status == SIGKILL, "status \(killed.status): \(killed.standardError)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("signature_01_20/result.json").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("signature_17_20/.signet-study/model-1.safetensors").path))

        let resumed = try SignetProcess.run(["sweep", "--resume", out.path, "--device", "cpu", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardError.contains("signature_01_20") && resumed.standardError.contains("complete already, not run again"))
        #expect(resumed.standardError.contains("Reading the model of seed 1, trained before, from the journal"))
        #expect(!resumed.standardError.contains("Epoch "), "nothing is trained again")
        #expect(try index(out).map { $0["name"] as? String } == ["signature_01_20", "signature_17_20"])
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("signature_17_20/.signet-study").path))

        let refused = try SignetProcess.run(["sweep", "--resume", out.path, "--seeds", "2"])
        #expect(refused.status != 0 && refused.errorLines.first?.contains("--resume continues the sweep with the experiments it started with, so --seeds cannot be given") == true, "\(refused.standardError)")
    }

    @Test(arguments: [
        (["--only", "99"], "unknown experiment '99'"),
        (["--seeds", "0"], "--seeds must be at least 1"),
        (["--per-class", "0"], "--per-class must be at least 1"),
    ])
    func badInputIsRefusedWithOneLine(flags: [String], message: String) throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("signet-sweep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let outcome = try sweep(flags, out: out)
        #expect(outcome.status != 0)
        let errors = outcome.errorLines
        #expect(errors.count == 1 && errors[0].contains(message), "\(outcome.standardError)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "nothing written")
    }
}
