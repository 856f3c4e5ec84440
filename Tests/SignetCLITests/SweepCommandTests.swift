import Foundation
import Testing

/// `signet sweep` through the built binary, reduced: two experiments, 20 images per digit,
/// `--n-init 2 --kmax 4`, one seed.
@Suite("signet sweep", .serialized)
struct SweepCommandTests {
    static let reducedExperiments = ["--only", "01,17", "--per-class", "20", "--n-init", "2", "--kmax", "4"]
    static let reduced = reducedExperiments + ["--device", "cpu"]

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

    /// Without its times (`seconds`, `phases`): what a sharded sweep must give as an unsharded one does.
    func timeless(_ value: Any) -> Any {
        if let object = value as? [String: Any] {
            return object.filter { $0.key != "seconds" && $0.key != "phases" }.mapValues(timeless)
        }
        if let array = value as? [Any] { return array.map(timeless) }
        return value
    }

    /// Every experiment's `result.json` in `out`, by name, without its times.
    func results(_ out: URL) throws -> [String: NSDictionary] {
        var results: [String: NSDictionary] = [:]
        for name in ["signature_01_20", "signature_17_20"] {
            let data = try Data(contentsOf: out.appendingPathComponent(name).appendingPathComponent("result.json"))
            results[name] = try #require(timeless(try JSONSerialization.jsonObject(with: data)) as? NSDictionary)
        }
        return results
    }

    /// The reduced sweep in two shards: the first (the costlier 1/7 study) runs alone and
    /// leaves the sweep unmerged; the second, killed, is named by `--merge` and redone by
    /// `--resume --shard 2/2`, which then merges. Two ranks of `mpirun` with `--shard auto` do it
    /// side by side. Both give the unsharded sweep's index and results but for the times.
    @Test func aShardedSweepMergesToTheUnshardedOne() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("signet-sweep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let whole = scratch.appendingPathComponent("whole"), shards = scratch.appendingPathComponent("shards")
        let ranks = scratch.appendingPathComponent("ranks")
        let unsharded = try sweep(Self.reduced + ["--quiet"], out: whole)
        #expect(unsharded.status == 0, "\(unsharded.standardError)")
        let expected = try timeless(index(whole)) as? [NSDictionary]

        let first = try sweep(Self.reduced + ["--quiet", "--shard", "1/2"], out: shards)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("Shard 1/2: 1 of the 2 experiments complete")
                    && first.standardOutput.contains("not complete yet, of the other shards: signature_01_20"), "\(first.standardOutput)")
        #expect(FileManager.default.fileExists(atPath: shards.appendingPathComponent("signature_17_20/result.json").path))
        #expect(!FileManager.default.fileExists(atPath: shards.appendingPathComponent("index.json").path), "no index before the merge")
        let killed = try SignetProcess.run(["sweep"] + Self.reduced + ["--quiet", "--shard", "2/2", "--out", shards.path],
                                           environment: ["SIGNET_FAULT": "kill:phase=3"])
        #expect(killed.killedBySignal && killed.status == SIGKILL, "status \(killed.status): \(killed.standardError)")
        let unmerged = try SignetProcess.run(["sweep", "--merge", shards.path])
        #expect(unmerged.status == 1 && unmerged.errorLines.count == 1
                    && unmerged.errorLines[0].contains("not complete in \(shards.path): signature_01_20 (1 of the sweep's 2 experiments)"),
                "\(unmerged.standardError)")
        #expect(!FileManager.default.fileExists(atPath: shards.appendingPathComponent("index.json").path))
        let second = try SignetProcess.run(["sweep", "--resume", shards.path, "--shard", "2/2", "--device", "cpu", "--quiet"])
        #expect(second.status == 0, "\(second.standardError)")
        #expect(second.standardOutput.contains("Wrote \(shards.path)/index.json and 2 experiment folders"), "the last shard merges")
        #expect(!FileManager.default.fileExists(atPath: shards.appendingPathComponent(".signet-merge").path), "the claim is released")
        #expect(try timeless(index(shards)) as? [NSDictionary] == expected)
        #expect(try results(shards) == results(whole))
        let merged = try SignetProcess.run(["sweep", "--merge", shards.path, "--json"])
        #expect(merged.status == 0 && merged.standardOutput.contains("\"signature_17_20\""), "\(merged.standardError)")

        // mpirun from Open MPI, as the README's cluster section runs it (shared memory only).
        let mpirun = URL(fileURLWithPath: "/usr/bin/mpirun")
        guard FileManager.default.isExecutableFile(atPath: mpirun.path) else {
            Issue.record("no /usr/bin/mpirun: scripts/install-system-packages.sh --tests installs openmpi-bin")
            return
        }
        let launched = try SignetProcess.run(mpirun, ["--allow-run-as-root", "--oversubscribe", "-np", "2", SignetProcess.executable.path,
                                                      "sweep"] + Self.reduced + ["--quiet", "--shard", "auto", "--out", ranks.path],
                                             environment: ["OMPI_MCA_btl": "self,vader", "OMPI_MCA_btl_vader_single_copy_mechanism": "none"])
        #expect(launched.status == 0, "\(launched.standardError)")
        #expect(launched.standardOutput.components(separatedBy: "Wrote \(ranks.path)/index.json").count == 2, "one rank merges")
        #expect(try timeless(index(ranks)) as? [NSDictionary] == expected)
        #expect(try results(ranks) == results(whole))
    }

    /// A result without what depends on the host: the CPU backend's thread count (beside an
    /// OpenCL device it leaves that device's host work a thread), its backend's kind kept.
    func hostless(_ result: NSDictionary) -> NSDictionary {
        var copy = result as? [String: Any] ?? [:]
        if var backend = copy["backend"] as? [String: Any] {
            backend["description"] = nil
            copy["backend"] = backend
        }
        return copy as NSDictionary
    }

    /// `--devices cpu,opencl:0` runs the two experiments side by side, one per device, and each
    /// gives the result (but for the times and thread count) that a sweep on its device alone
    /// gives. The log shows each device's lines with the device in front.
    @Test func devicesSideBySideGiveEachExperimentItsDevicesResult() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("signet-sweep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let onCPU = scratch.appendingPathComponent("cpu"), onOpenCL = scratch.appendingPathComponent("opencl")
        let sideBySide = scratch.appendingPathComponent("devices")
        for (device, out) in [("cpu", onCPU), ("opencl:0", onOpenCL)] {
            let alone = try sweep(Self.reducedExperiments + ["--quiet", "--device", device], out: out)
            #expect(alone.status == 0, "\(alone.standardError)")
        }
        let both = try sweep(Self.reducedExperiments + ["--quiet", "--devices", "cpu,opencl:0"], out: sideBySide)
        #expect(both.status == 0, "\(both.standardError)")
        let log = both.standardError.split(separator: "\n")
        #expect(log.contains { $0.hasPrefix("Using opencl:0: OpenCL backend") }, "\(both.standardError)")
        for device in ["[cpu     ]", "[opencl:0]"] {
            #expect(log.contains { $0.hasPrefix("\(device) Running signature_") }, "\(device) ran one: \(both.standardError)")
        }
        #expect(try index(sideBySide).map { $0["name"] as? String } == index(onCPU).map { $0["name"] as? String })
        // A backup's folder and a superseded attempt's journal are gone.
        let left = try FileManager.default.subpathsOfDirectory(atPath: sideBySide.path)
        #expect(!left.contains { $0.hasPrefix(".signet-backups") || $0.contains(".signet-study") }, "\(left)")
        let references = [("cpu", try results(onCPU)), ("opencl", try results(onOpenCL))]
        for (name, result) in try results(sideBySide) {
            let kind = (result["backend"] as? [String: Any])?["kind"] as? String
            let reference = try #require(references.first { $0.0 == kind }?.1[name], "\(name) ran on \(kind ?? "?")")
            #expect(hostless(result) == hostless(reference), "\(name) on \(kind ?? "?")")
        }
    }

    @Test(arguments: [
        (["--devices", "cpu,cpu"], "--devices: cpu is listed twice"),
        (["--devices", "cpu", "--device", "cpu"], "--device and --devices cannot both be given"),
        (["--devices", "opencl:9"], "--devices opencl:9: no OpenCL device 9"),
        (["--merge", "/tmp", "--devices", "cpu"], "--devices cannot be given; only --data, --json and --quiet may"),
        (["--only", "99"], "unknown experiment '99'"),
        (["--seeds", "0"], "--seeds must be at least 1"),
        (["--per-class", "0"], "--per-class must be at least 1"),
        (["--shard", "3/2"], "--shard: shard 3/2 does not exist"),
        (["--shard", "auto"], "--shard auto: no launcher's rank is set"),
        (["--merge", "/tmp", "--seeds", "2"], "so --out, --seeds cannot be given; only --data, --json and --quiet may"),
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
