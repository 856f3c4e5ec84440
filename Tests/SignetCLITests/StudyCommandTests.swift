import Foundation
import SignetBuild
import Testing

/// `signet study` on real MNIST through the built binary: small studies (`--n-init 2 --kmax 4`,
/// 30 images per digit) unless the flag under test needs other sizes; one `--out` folder per test.
@Suite("signet study", .serialized)
struct StudyCommandTests {
    static let small = ["--n-init", "2", "--kmax", "4", "--device", "cpu", "--no-umap"]
    /// `small` with the UMAP maps on (they cost more in a debug build).
    static let smallWithMaps = small.filter { $0 != "--no-umap" }

    /// A fresh folder path (not created) under the temporary directory, and its removal.
    final class Scratch {
        let root: URL
        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("signet-study-cli-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: root) }

        /// The study's output folder (created by the study).
        var out: String { root.appendingPathComponent("out").path }
        func path(_ name: String) -> String { root.appendingPathComponent(name).path }
        func file(_ name: String) -> String { root.appendingPathComponent("out").appendingPathComponent(name).path }

        /// Writes `text` to `name` in the scratch folder and returns its path.
        func write(_ name: String, _ text: String) throws -> String {
            try text.write(toFile: path(name), atomically: true, encoding: .utf8)
            return path(name)
        }
    }

    func study(_ arguments: [String], _ scratch: Scratch) throws -> SignetProcess.Outcome {
        try SignetProcess.run(["study"] + arguments + ["--out", scratch.out])
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func result(_ scratch: Scratch) throws -> [String: Any] {
        try json(String(contentsOfFile: scratch.file("result.json"), encoding: .utf8))
    }

    func configuration(_ result: [String: Any]) throws -> [String: Any] {
        try #require(result["configuration"] as? [String: Any])
    }

    func subset(_ result: [String: Any]) throws -> [String: Any] {
        try #require((try configuration(result)["data"] as? [String: Any])?["subset"] as? [String: Any])
    }

    func firstRun(_ result: [String: Any]) throws -> [String: Any] {
        try #require((result["runs"] as? [[String: Any]])?.first)
    }

    // MARK: Studies that run

    @Test func theDefaultStudyAnswersTheThreeQuestionsAndWritesItsFiles() throws {
        let scratch = try Scratch()
        let outcome = try study(Self.smallWithMaps + ["--per-class", "30"], scratch)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let text = outcome.standardOutput
        #expect(text.contains("UMAP trust"), "the layer table scores each layer's map")
        #expect(text.contains("Signature study: MNIST digits 1 and 7 (30 training images each), seed 1"), "\(text)")
        #expect(text.contains("Model 784-32-16-2 trained 15 epochs"), "the original preset's network and epochs")
        #expect(text.contains("k = 2 ... 4 by silhouette, K-means with 2 restarts"))
        #expect(text.contains("\n1. From which layer does the model separate the digits?"))
        #expect(text.contains("\n2. Do the "))
        #expect(text.contains("\n3. Where do unseen digits go?"))
        #expect(text.contains("Inserted 3s (30 images"))
        #expect(text.contains("Inserted 4s (30 images"))
        #expect(text.contains("ROC AUC"))
        for name in ["result.json", "signatures.safetensors", "paths.csv"] {
            #expect(FileManager.default.fileExists(atPath: scratch.file(name)), "\(name) written")
        }
        let result = try result(scratch)
        #expect(result["schema"] as? String == "signet.study/1")
        let build = try #require(result["build"] as? [String: Any], "result.json names the build that made it")
        #expect(build["version"] as? String == SignetBuild.current.version && build["commit"] as? String == SignetBuild.current.commit)
        let settings = try configuration(result)
        #expect(settings["anomalies"] as? [Int] == [3, 4], "the original's anomalies")
        #expect(settings["restarts"] as? Int == 2)
        #expect(settings["kRange"] as? [Int] == [2, 4])
        #expect(try subset(result)["classes"] as? [Int] == [1, 7])
        let run = try firstRun(result)
        #expect((run["inserted"] as? [[String: Any]])?.map { $0["name"] as? String } == ["with 3", "with 4"])
        #expect(((run["placed"] as? [String: Any])?["anomalies"] as? [[String: Any]])?.count == 2)
        #expect(((run["analysis"] as? [String: Any])?["images"] as? [Any])?.count == 60)
        let layers = try #require((run["analysis"] as? [String: Any])?["layers"] as? [[String: Any]])
        for layer in layers {
            let map = try #require(layer["map"] as? [String: Any], "every studied layer has its map")
            #expect((map["coordinates"] as? [Double])?.count == 120, "60 images x 2")
            #expect(((map["trustworthiness"] as? Double) ?? 0) > 0.5)
        }
        let csv = try String(contentsOfFile: scratch.file("paths.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 60 + 90 + 90, "header, the analysis, 'with 3' and 'with 4'")
        #expect(outcome.standardError.contains("Training on 60 images, seed 1"), "progress goes to stderr")
    }

    @Test func jsonPrintsTheResultToStandardOutput() throws {
        let scratch = try Scratch()
        let outcome = try study(Self.small + ["--per-class", "30", "--json"], scratch)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let printed = try json(outcome.standardOutput)
        #expect(printed["schema"] as? String == "signet.study/1")
        #expect(!outcome.standardOutput.contains("1. From which layer"), "the JSON instead of the summary")
        let written = try String(contentsOfFile: scratch.file("result.json"), encoding: .utf8)
        #expect(outcome.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
                == written.trimmingCharacters(in: .whitespacesAndNewlines), "stdout is result.json's content")
    }

    @Test func otherDigitsWithoutAnomaliesMeanNoAnomalies() throws {
        let scratch = try Scratch()
        let outcome = try study(Self.small + ["--digits", "2,5", "--per-class", "20"], scratch)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("MNIST digits 2 and 5 (20 training images each)"))
        #expect(!outcome.standardOutput.contains("3. Where do unseen"), "no anomaly question without anomalies")
        let result = try result(scratch)
        #expect(try configuration(result)["anomalies"] as? [Int] == [])
        let run = try firstRun(result)
        #expect((run["inserted"] as? [Any])?.isEmpty == true)
        #expect(run["placed"] == nil || run["placed"] is NSNull)
        #expect(((run["analysis"] as? [String: Any])?["images"] as? [Any])?.count == 40)
    }

    @Test func fashionMNISTNamesItsClasses() throws {
        let scratch = try Scratch()
        let outcome = try study(Self.small + ["--dataset", "fashion-mnist", "--digits", "1,7", "--per-class", "30"], scratch)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("Fashion-MNIST"))
        #expect(outcome.standardOutput.contains("Trouser"), "\(outcome.standardOutput)")
        #expect(outcome.standardOutput.contains("Sneaker"))
        let result = try result(scratch)
        #expect(result["classNames"] as? [String: String] == ["1": "Trouser", "7": "Sneaker"])
        let csv = try String(contentsOfFile: scratch.file("paths.csv"), encoding: .utf8)
        #expect(csv.contains(",Trouser,") && csv.contains(",Sneaker"), "class names in paths.csv")
    }

    @Test func aConfigFileGivesTheSettingsAndFlagsOverrideIt() throws {
        let scratch = try Scratch()
        let file = try scratch.write("study.json", #"{"per-class": 20, "n-init": 2, "kmax": 3, "digits": [1, 7]}"#)
        let fromFile = try study(["--config", file, "--device", "cpu"], scratch)
        #expect(fromFile.status == 0, "\(fromFile.standardError)")
        #expect(fromFile.standardOutput.contains("k = 2 ... 3 by silhouette, K-means with 2 restarts"), "\(fromFile.standardOutput)")
        #expect(fromFile.standardOutput.contains("(20 training images each)"))
        var result = try result(scratch)
        #expect(try configuration(result)["kRange"] as? [Int] == [2, 3])
        #expect(try configuration(result)["restarts"] as? Int == 2)
        #expect(try configuration(result)["anomalies"] as? [Int] == [], "digits from the file: no anomalies")
        #expect(try subset(result)["perClass"] as? Int == 20)

        let overridden = try study(["--config", file, "--kmax", "4", "--device", "cpu"], scratch)
        #expect(overridden.status == 0, "\(overridden.standardError)")
        #expect(overridden.standardOutput.contains("k = 2 ... 4 by silhouette"), "\(overridden.standardOutput)")
        result = try self.result(scratch)
        #expect(try configuration(result)["kRange"] as? [Int] == [2, 4], "the flag wins over the file")
        #expect(try subset(result)["perClass"] as? Int == 20, "the file's other keys still hold")
    }

    @Test func aCheckpointIsStudiedOnItsOwnData() throws {
        let scratch = try Scratch()
        let model = scratch.path("model.safetensors")
        let trained = try SignetProcess.run(["train", "--digits", "1,7", "--per-class", "20", "--epochs", "1", "--device", "cpu",
                                             "--save", model])
        #expect(trained.status == 0, "\(trained.standardError)")
        let outcome = try study(["--checkpoint", model] + Self.small, scratch)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("from \(model)"))
        let result = try result(scratch)
        #expect(try subset(result)["perClass"] as? Int == 20, "the checkpoint's images")
        #expect((try firstRun(result)["model"] as? [String: Any])?["checkpoint"] as? String == model)
    }

    @Test func aSavedModelStudiedAgainGivesTheSameClusters() throws {
        let scratch = try Scratch()
        let model = scratch.path("saved.safetensors")
        let trained = try study(Self.small + ["--digits", "1,7", "--per-class", "30", "--save", model], scratch)
        #expect(trained.status == 0, "\(trained.standardError)")
        let first = try result(scratch)
        let again = try study(["--checkpoint", model] + Self.small, scratch)
        #expect(again.status == 0, "\(again.standardError)")
        let second = try result(scratch)
        let before = try #require(try firstRun(first)["analysis"] as? [String: Any])
        let after = try #require(try firstRun(second)["analysis"] as? [String: Any])
        let clusters = { (analysis: [String: Any]) in (analysis["images"] as? [[String: Any]])?.map { $0["clusters"] as? [Int] ?? [] } }
        #expect(clusters(before) == clusters(after), "the same model, data and K-means seed")
        #expect(clusters(before)?.count == 60)
        let ks = { (analysis: [String: Any]) in (analysis["layers"] as? [[String: Any]])?.map { $0["k"] as? Int } }
        #expect(ks(before) == ks(after))
    }

    @Test func anomaliesTogetherMakeOneAnalysis() throws {
        let scratch = try Scratch()
        let outcome = try study(Self.small + ["--per-class", "30", "--anomalies", "3,4", "--anomalies-together"], scratch)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let inserted = try #require(try firstRun(result(scratch))["inserted"] as? [[String: Any]])
        #expect(inserted.count == 1)
        #expect(inserted.first?["name"] as? String == "with 3, 4")
        #expect((inserted.first?["images"] as? [Any])?.count == 120)
        #expect((inserted.first?["routes"] as? [[String: Any]])?.map { $0["label"] as? Int } == [3, 4])
    }

    @Test func severalSeedsRetrainAndSpreadEveryFigure() throws {
        let scratch = try Scratch()
        let outcome = try study(Self.small + ["--digits", "1,7", "--per-class", "30", "--seeds", "2", "--seed", "4"], scratch)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("2 seeds (4 ... 5)"), "\(outcome.standardOutput)")
        #expect(outcome.standardError.contains("Run 2/2: seed 5"))
        let result = try result(scratch)
        let runs = try #require(result["runs"] as? [[String: Any]])
        #expect(runs.map { $0["seed"] as? Int } == [4, 5])
        let spread = try #require(result["spread"] as? [[String: Any]])
        #expect(spread.allSatisfy { ($0["values"] as? [Double])?.count == 2 }, "every figure over both seeds")
        let csv = try String(contentsOfFile: scratch.file("paths.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 2 * 60, "one row per image per run")
    }

    /// A study killed (SIGKILL, the seam `SIGNET_FAULT=kill:phase=N`) in its second seed's
    /// analysis, after that seed's model was trained and its first layer clustered and mapped:
    /// the folder holds only the journal, whose files are whole; `--resume` reads the first
    /// seed's run, the second's model and its first layer back, and ends with the uninterrupted
    /// study's result but for the times, and the same signatures and paths, byte for byte.
    @Test func aKilledStudyResumesToTheSameResult() throws {
        let scratch = try Scratch()
        let flags = ["--digits", "1,7", "--per-class", "30", "--hidden", "4,3", "--epochs", "2", "--kmax", "3", "--n-init", "2",
                     "--seeds", "2", "--anomalies", "3", "--umap-neighbors", "5", "--device", "cpu", "--quiet"]
        // Phases per seed: training, signatures, 2 x (clustering, UMAP) of the analysis and of
        // the 3s inserted, placing: 11. Phase 16 is the clustering of the second seed's second
        // layer: its first is clustered and mapped.
        let killed = try SignetProcess.run(["study"] + flags + ["--out", scratch.out], environment: ["SIGNET_FAULT": "kill:phase=16"])
        #expect(killed.killedBySignal && killed.status == SIGKILL, "status \(killed.status): \(killed.standardError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.out) == [".signet-study"], "no result file of the killed study")
        let journal = try FileManager.default.contentsOfDirectory(atPath: scratch.file(".signet-study")).sorted()
        // The first seed's layer records went into its run-1.json.
        #expect(journal == ["journal.json", "model-1.safetensors", "model-2.safetensors", "run-1.json",
                            "run-2-analysis-1-layer-1-clustering.json", "run-2-analysis-1-layer-1-map.json", "signatures-1.safetensors"],
                "every phase finished, each file whole: \(journal)")

        let resumed = try SignetProcess.run(["study", "--resume", scratch.out, "--device", "cpu", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardError.contains("Seed 1: finished before, read from the journal"))
        #expect(resumed.standardError.contains("Reading the model of seed 2, trained before, from the journal"))
        #expect(resumed.standardError.contains("Analysis: hidden_1 clustered before, read from the journal"))
        #expect(resumed.standardError.contains("Analysis: UMAP of hidden_1 made before, read from the journal"))
        #expect(resumed.standardError.contains("Analysis: clustering hidden_2"), "the layer the kill cut short is clustered")
        #expect(resumed.standardError.components(separatedBy: "Epoch ").count == 1, "nothing is trained again")
        #expect(!FileManager.default.fileExists(atPath: scratch.file(".signet-study")), "the journal is removed once the files are written")

        let whole = scratch.path("whole")
        let uninterrupted = try SignetProcess.run(["study"] + flags + ["--out", whole])
        #expect(uninterrupted.status == 0, "\(uninterrupted.standardError)")
        func timeless(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.filter { $0.key != "seconds" && $0.key != "phases" }.mapValues(timeless)
            }
            if let array = value as? [Any] { return array.map(timeless) }
            return value
        }
        let a = try timeless(result(scratch)) as? NSDictionary
        let b = try timeless(json(String(contentsOfFile: whole + "/result.json", encoding: .utf8))) as? NSDictionary
        #expect(a != nil && a == b, "the resumed result is the uninterrupted one but for the times")
        for file in ["signatures.safetensors", "paths.csv"] {
            #expect(FileManager.default.contents(atPath: scratch.file(file)) == FileManager.default.contents(atPath: whole + "/" + file), "\(file)")
        }
    }

    /// A study of a checkpoint named relative to where it started, killed, resumes from another
    /// working folder: the journal records the checkpoint's absolute path, and so reads the
    /// same model back, not whatever file of that name the new folder holds.
    @Test func aKilledCheckpointStudyResumesFromAnotherFolder() throws {
        let scratch = try Scratch()
        let models = scratch.root.appendingPathComponent("models", isDirectory: true)
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        let trained = try SignetProcess.run(["train", "--digits", "1,7", "--per-class", "20", "--hidden", "4,3", "--epochs", "1",
                                             "--device", "cpu", "--save", "model.safetensors", "--quiet"], in: models)
        #expect(trained.status == 0, "\(trained.standardError)")
        // A file of the same name where the resume runs, which must not be read.
        _ = FileManager.default.createFile(atPath: scratch.path("model.safetensors"), contents: Data("not a checkpoint".utf8))
        let killed = try SignetProcess.run(["study", "--checkpoint", "model.safetensors", "--out", scratch.out] + Self.small,
                                           environment: ["SIGNET_FAULT": "kill:phase=3"], in: models)
        #expect(killed.killedBySignal && killed.status == SIGKILL, "status \(killed.status): \(killed.standardError)")
        let resumed = try SignetProcess.run(["study", "--resume", "out", "--device", "cpu", "--quiet"], in: scratch.root)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let recorded = try String(contentsOfFile: scratch.file("result.json"), encoding: .utf8).replacingOccurrences(of: "\\/", with: "/")
        #expect(recorded.contains("\"" + models.appendingPathComponent("model.safetensors").standardizedFileURL.path + "\""),
                "the result names the checkpoint by its absolute path")
    }

    @Test(arguments: [
        (["--resume", "FOLDER"], "holds no unfinished study to resume"),
        (["--resume", "FOLDER", "--seeds", "2"], "--resume continues the study with the settings it started with, so --seeds cannot be given"),
        (["--resume", "FOLDER", "--digits", "1,7", "--epochs", "2", "--no-umap"],
         "with, so --epochs, --digits, --no-umap cannot be given; only --device, --data, --save, --checkpoint-every, --json and --quiet may"),
        // The folder is named as the flag it came from.
        (["--resume", "FOLDER/notes.txt"], "--resume FOLDER/notes.txt is a file; give a folder"),
    ])
    func aResumeWithoutAJournalOrWithSettingsIsRefused(flags: [String], message: String) throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.out, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: scratch.out + "/notes.txt", contents: Data("a file, not a study folder".utf8))
        let outcome = try SignetProcess.run(["study"] + flags.map { $0.replacingOccurrences(of: "FOLDER", with: scratch.out) } + ["--device", "cpu"])
        expectRefusal(outcome, message.replacingOccurrences(of: "FOLDER", with: scratch.out), scratch)
    }

    /// The test images of the kept digits instead of the training images; nothing placed then.
    /// (One layer and k = 2: the silhouette of 2,163 points is the slow part in a debug build.)
    @Test func theTestImagesCanBeAnalysed() throws {
        let scratch = try Scratch()
        let outcome = try study(["--n-init", "1", "--kmax", "2", "--layers", "hidden_2", "--device", "cpu", "--digits", "1,7",
                                 "--per-class", "20", "--anomalies", "3", "--analyze", "test", "--no-standardize", "--no-umap"], scratch)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("2163 test images"), "\(outcome.standardOutput)")
        #expect(outcome.standardOutput.contains("raw signatures"))
        let run = try firstRun(result(scratch))
        let images = try #require((run["analysis"] as? [String: Any])?["images"] as? [[String: Any]])
        #expect(images.count == 2163)
        #expect(images.allSatisfy { $0["split"] as? String == "test" })
        #expect(run["placed"] == nil || run["placed"] is NSNull, "test images are placed only into a training analysis")
        let inserted = try #require((run["inserted"] as? [[String: Any]])?.first)
        #expect((inserted["images"] as? [Any])?.count == 2163 + 20, "the first 20 training 3s inserted")
    }

    // MARK: Bad input

    /// A refusal: a non-zero exit, one `Error:` line naming the problem, nothing on standard
    /// output, no result.json. (Validation errors add ArgumentParser's usage lines, and errors
    /// found once the data is loaded follow the `Using ... backend` line; neither is asserted.)
    func expectRefusal(_ outcome: SignetProcess.Outcome, _ message: String, _ scratch: Scratch,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(outcome.status != 0, sourceLocation: sourceLocation)
        let errors = outcome.errorLines
        #expect(errors.count == 1, "stderr was: \(outcome.standardError)", sourceLocation: sourceLocation)
        #expect(errors.first?.contains(message) == true, "stderr was: \(outcome.standardError)", sourceLocation: sourceLocation)
        #expect(outcome.standardOutput.isEmpty, "stdout was: \(outcome.standardOutput)", sourceLocation: sourceLocation)
        #expect(!outcome.standardError.contains("Epoch"), "refused before any training", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: scratch.file("result.json")), sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        (["--k", "1"], "--k must be at least 2"),
        (["--k", "3,x"], "--k takes one k or one per layer"),
        (["--anomalies", "7"], "anomaly digit 7 is one of the kept classes"),
        (["--digits", "1,7", "--anomalies", "12"], "--anomalies: "),
        (["--layers", "nope"], "unknown layer 'nope'"),
        (["--k", "2,3,4"], "--k gives 3 values for 2 studied layers"),
        (["--kmax", "100", "--per-class", "10"], "k = 100 is too large for 20 images"),
        (["--kmax", "1"], "--kmax must be at least 2"),
        (["--n-init", "0"], "--n-init must be at least 1"),
        (["--seeds", "0"], "--seeds must be at least 1"),
        (["--per-class", "lots"], "The value 'lots' is invalid for '--per-class"),
        // `all` parses and means every training image of 1 and 7 (13,007), refused here only for its k.
        (["--per-class", "all", "--digits", "1,7", "--kmax", "20000"], "k = 20000 is too large for 13007 images"),
        (["--seeds", "2", "--save", "/tmp/never.safetensors"], "--save keeps one model"),
    ])
    func badFlagsAreRefusedWithOneLine(flags: [String], message: String) throws {
        let scratch = try Scratch()
        let perClass = flags.contains("--per-class") ? [] : ["--per-class", "30"]
        let base = ["--n-init", "2", "--device", "cpu"] + perClass
        let outcome = try study(base + flags, scratch)
        expectRefusal(outcome, message, scratch)
    }

    @Test(arguments: [
        (#"{"per-class": 20, "bogus": 1}"#, "unknown key 'bogus'"),
        (#"{"epochs": "ten"}"#, #"'epochs' must be an integer, got "ten""#),
        (#"{"standardize": 1}"#, "'standardize' must be true or false"),
        (#"{"digits": {"a": 1}}"#, "'digits' must be a list"),
        (#"{"per-class": "many"}"#, #"'per-class' must be an integer or "all""#),
        (#"[1, 7]"#, "the file must hold one JSON object of settings"),
        (#"{"digits": [1, 7"#, "not valid JSON"),
    ])
    func badConfigFilesAreRefusedWithOneLine(contents: String, message: String) throws {
        let scratch = try Scratch()
        let file = try scratch.write("bad.json", contents)
        let outcome = try study(["--config", file] + Self.small, scratch)
        expectRefusal(outcome, message, scratch)
        #expect(outcome.standardError.contains("--config \(file)"), "the line names the file")
    }

    /// The file's values go through the flags' own checks.
    @Test(arguments: [
        (#"{"seeds": 0}"#, "--seeds must be at least 1"),
        (#"{"k": 1}"#, "--k must be at least 2"),
        (#"{"anomalies": [7], "per-class": 10}"#, "anomaly digit 7 is one of the kept classes"),
        // `all` from the file too: every training 1 and 7.
        (#"{"per-class": "all", "digits": "1,7", "kmax": 20000}"#, "k = 20000 is too large for 13007 images"),
    ])
    func configValuesAreCheckedAsFlagsAre(contents: String, message: String) throws {
        let scratch = try Scratch()
        let file = try scratch.write("values.json", contents)
        expectRefusal(try study(["--config", file, "--n-init", "2", "--device", "cpu"], scratch), message, scratch)
    }

    @Test func aCheckpointStudiedWithOtherDigitsOrDatasetIsRefused() throws {
        let scratch = try Scratch()
        let model = scratch.path("model.safetensors")
        let trained = try SignetProcess.run(["train", "--digits", "1,7", "--per-class", "20", "--epochs", "1", "--device", "cpu",
                                             "--save", model])
        #expect(trained.status == 0, "\(trained.standardError)")
        expectRefusal(try study(["--checkpoint", model, "--digits", "2,3"] + Self.small, scratch),
                      "checkpoint \(model) was trained on 1, 7, not 2, 3", scratch)
        expectRefusal(try study(["--checkpoint", model, "--dataset", "fashion-mnist"] + Self.small, scratch),
                      "was trained on MNIST, not Fashion-MNIST", scratch)
        expectRefusal(try study(["--checkpoint", model, "--epochs", "3"] + Self.small, scratch),
                      "training flags (--epochs) do not apply", scratch)
        expectRefusal(try study(["--checkpoint", scratch.path("missing.safetensors")] + Self.small, scratch),
                      "missing.safetensors", scratch)
    }
}
