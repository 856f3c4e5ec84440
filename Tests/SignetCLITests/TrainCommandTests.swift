import Foundation
import Learning
import Testing

/// `signet train` and `signet evaluate` on real MNIST, small subsets so the suite stays fast.
@Suite("signet train and evaluate", .serialized)
struct TrainCommandTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("signet-cli-\(UUID().uuidString)-\(name)").path
    }

    @Test(arguments: ["cpu", "opencl"])
    func trainSaveEvaluateResume(device: String) throws {
        let checkpoint = temporaryPath("model.safetensors")
        defer { try? FileManager.default.removeItem(atPath: checkpoint) }
        let trained = try SignetProcess.run(["train", "--digits", "1,7", "--per-class", "60", "--epochs", "2", "--batch", "16",
                                             "--device", device, "--save", checkpoint, "--json"])
        #expect(trained.status == 0, "\(trained.standardError)")
        let report = try json(trained.standardOutput)
        let history = try #require(report["history"] as? [[String: Any]])
        #expect(history.count == 2)
        let test = try #require(report["test"] as? [String: Any])
        #expect(test["count"] as? Int == 2163, "every MNIST test image of 1 and 7")
        let accuracy = try #require((test["metrics"] as? [String: Any])?["accuracy"] as? Double)
        #expect(accuracy > 0.8, "two epochs on 120 images of 1 and 7 already separate them: \(accuracy)")
        #expect(FileManager.default.fileExists(atPath: checkpoint))
        #expect(trained.standardError.contains("Epoch 2/2"), "epoch lines go to stderr under --json")

        let evaluated = try SignetProcess.run(["evaluate", "--checkpoint", checkpoint, "--device", device, "--json"])
        #expect(evaluated.status == 0, "\(evaluated.standardError)")
        let again = try #require((try json(evaluated.standardOutput)["metrics"] as? [String: Any])?["accuracy"] as? Double)
        #expect(abs(again - accuracy) < 1e-9, "evaluate reproduces train's test accuracy")

        let resumed = try SignetProcess.run(["train", "--resume", checkpoint, "--epochs", "3", "--device", device, "--save", checkpoint])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardOutput.contains("Epoch 3/3"))
        #expect(!resumed.standardOutput.contains("Epoch 1/3"), "resume starts after the saved epochs")
    }

    /// `evaluate --digits` tests on some of the model's digits, with targets still over all of
    /// them, and refuses a digit the model was not trained on.
    @Test func evaluateOnSomeOfTheDigits() throws {
        let checkpoint = temporaryPath("digits.safetensors")
        defer { try? FileManager.default.removeItem(atPath: checkpoint) }
        let trained = try SignetProcess.run(["train", "--digits", "1,7", "--per-class", "20", "--epochs", "1", "--device", "cpu",
                                             "--save", checkpoint])
        #expect(trained.status == 0, "\(trained.standardError)")
        let sevens = try SignetProcess.run(["evaluate", "--checkpoint", checkpoint, "--digits", "7", "--device", "cpu", "--json"])
        #expect(sevens.status == 0, "\(sevens.standardError)")
        let result = try json(sevens.standardOutput)
        #expect(result["count"] as? Int == 1028, "every MNIST test 7")
        #expect(result["labels"] as? [Int] == [1, 7])
        #expect((result["metrics"] as? [String: Any])?["support"] as? [Int] == [0, 1028])
        let text = try SignetProcess.run(["evaluate", "--checkpoint", checkpoint, "--digits", "7", "--device", "cpu"])
        #expect(text.standardOutput.contains("Test: 1028 images of digits 7"))
        #expect(text.standardOutput.contains("digit  precision  recall  f1"))
        let unknown = try SignetProcess.run(["evaluate", "--checkpoint", checkpoint, "--digits", "3", "--device", "cpu"])
        #expect(unknown.status != 0)
        #expect(unknown.standardError.contains("Error: digit 3 is not one of the model's classes (1, 7)"), "\(unknown.standardError)")
    }

    @Test func humanOutputHasATableOfMetrics() throws {
        let outcome = try SignetProcess.run(["train", "--preset", "original", "--epochs", "1", "--device", "cpu"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("Epoch 1/1"))
        #expect(outcome.standardOutput.contains("digit  precision  recall  f1"))
        #expect(outcome.standardOutput.contains("confusion"))
        #expect(outcome.standardOutput.contains("Training on 200 mnist images of digits 1, 7"))
    }

    @Test func validationOnTheTestImagesWithEarlyStopping() throws {
        let outcome = try SignetProcess.run(["train", "--digits", "1,7", "--per-class", "50", "--epochs", "40", "--validate-on-test",
                                             "--patience", "2", "--lr", "0.01", "--device", "cpu", "--json"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let history = try #require(try json(outcome.standardOutput)["history"] as? [[String: Any]])
        #expect(history.allSatisfy { $0["validationAccuracy"] as? Double != nil })
        #expect(history.count < 40, "early stopping ends the run")
    }

    @Test func crossValidationReportsMeanAndSpread() throws {
        let outcome = try SignetProcess.run(["train", "--digits", "0,1", "--per-class", "30", "--epochs", "2", "--folds", "3",
                                             "--device", "cpu", "--json"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let report = try json(outcome.standardOutput)
        #expect((report["accuracies"] as? [Double])?.count == 3)
        #expect(report["accuracyStandardDeviation"] as? Double != nil)
    }

    @Test(arguments: [
        (["train", "--digits", "12"], "12 is outside 0-9"),
        (["train", "--per-class", "0"], "--per-class must be at least 1"),
        (["train", "--digits", "1,7", "--per-class", "9000"], "only 6742"),
        (["train", "--device", "tpu"], "unknown device 'tpu'"),
        (["train", "--lr=-1"], "--lr must be a positive number"),
        (["train", "--patience", "3"], "--patience needs --validation-split"),
        (["train", "--data", "/nonexistent/folder"], "not found"),
        (["train", "--resume", "/nonexistent.safetensors"], "cannot load checkpoint"),
        (["train", "--resume", "/nonexistent.safetensors", "--hidden", "8"], "--resume continues with the checkpoint's data"),
        (["evaluate", "--checkpoint", "/nonexistent.safetensors"], "cannot load checkpoint"),
        // Sizes that overflow or cannot be allocated: an error line, never a trap.
        (["train", "--hidden", "4611686018427387904"], "too large"),
        (["train", "--hidden", "100000000"], "too large"),
        (["train", "--model", "conv(1,4000000000,same) flatten"], "impossible kernel tensor"),
        (["train", "--digits", "1,7", "--per-class", "5", "--validation-split", "0.999"], "leaves no training examples"),
        (["train", "--save", "/tmp"], "is a folder"),
        (["train", "--save", "/nonexistent/folder/model.safetensors"], "does not exist"),
        (["train", "--model", "cnn", "--activation", "tanh"], "--activation shapes the dense network"),
        (["train", "--activation", "softmax"], "Please provide one of 'relu', 'tanh' or 'sigmoid'"),
        (["train", "--momentum", "0.9"], "SGD settings"),
        (["train", "--resume", "/nonexistent.safetensors", "--seed", "3", "--epochs", "4"],
         "--resume continues with the checkpoint's data and settings, so --seed cannot be given"),
        (["train", "--resume", "/nonexistent.safetensors", "--dataset", "fashion-mnist"], "--resume continues with the checkpoint's data"),
    ])
    func badFlagsGiveOneClearLine(arguments: [String], message: String) throws {
        let outcome = try SignetProcess.run(arguments)
        #expect(outcome.status != 0)
        let errorLine = outcome.errorLines.first
        #expect(errorLine?.contains(message) == true, "stderr was: \(outcome.standardError)")
        #expect(!outcome.standardOutput.contains("Epoch"), "rejected before any training")
    }

    /// A run killed mid-epoch (SIGKILL through the `SIGNET_FAULT` seam, at step 20 of 39: epoch
    /// 2 of 3) leaves its folder holding only the whole checkpoint of epoch 1; `--resume` from it
    /// ends with the weights of an uninterrupted run, bit for bit (CPU backend, same seed).
    @Test func aKilledRunResumesToTheSameWeights() throws {
        let folder = try temporaryFolder("kill")
        defer { try? FileManager.default.removeItem(at: folder) }
        let killed = folder.appendingPathComponent("killed.safetensors").path
        let whole = folder.appendingPathComponent("whole.safetensors").path
        let training = ["train", "--digits", "1,7", "--per-class", "100", "--batch", "16", "--epochs", "3", "--seed", "5",
                        "--device", "cpu", "--quiet"]
        let interrupted = try SignetProcess.run(training + ["--save", killed], environment: ["SIGNET_FAULT": "kill:step=20"])
        #expect(interrupted.killedBySignal && interrupted.status == SIGKILL, "status \(interrupted.status): \(interrupted.standardError)")
        #expect(interrupted.standardOutput.contains("Epoch 1/3") && !interrupted.standardOutput.contains("Epoch 2/3"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["killed.safetensors"],
                "only the whole checkpoint, no temporary file")
        #expect(try Checkpoint.read(from: URL(fileURLWithPath: killed)).epochsCompleted == 1)

        let resumed = try SignetProcess.run(["train", "--resume", killed, "--save", killed, "--device", "cpu", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardOutput.contains("Epoch 2/3") && resumed.standardOutput.contains("Epoch 3/3"))
        let uninterrupted = try SignetProcess.run(training + ["--save", whole])
        #expect(uninterrupted.status == 0, "\(uninterrupted.standardError)")
        let a = try Checkpoint.read(from: URL(fileURLWithPath: killed)), b = try Checkpoint.read(from: URL(fileURLWithPath: whole))
        #expect(a.epochsCompleted == 3 && b.epochsCompleted == 3 && a.optimizerSteps == b.optimizerSteps)
        #expect(Set(a.parameters.keys) == Set(b.parameters.keys))
        for (name, entry) in b.parameters {
            #expect(a.parameters[name]?.values == entry.values, "\(name) differs after the resume")
        }
    }

    /// SIGTERM (as `kill` or a scheduler sends it) once epoch 1 is done: training stops at the
    /// end of a step, says where in one line, exits 143 as a shell expects, and leaves the epoch's
    /// checkpoint whole with no temporary file beside it.
    @Test func sigtermStopsAtASafePointAndKeepsTheCheckpoint() throws {
        let folder = try temporaryFolder("term")
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoint = folder.appendingPathComponent("model.safetensors")
        let process = Process()
        process.executableURL = SignetProcess.executable
        process.arguments = ["train", "--digits", "1,7", "--per-class", "200", "--batch", "8", "--epochs", "500", "--device", "cpu",
                             "--quiet", "--save", checkpoint.path]
        var environment = ProcessInfo.processInfo.environment
        environment["SIGNET_DATA"] = SignetProcess.dataDirectory.path
        process.environment = environment
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        var printed = ""
        while !printed.contains("Epoch 1/500") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed += String(decoding: chunk, as: UTF8.self)
        }
        process.terminate()
        // Standard error holds a few lines under --quiet, far below a pipe's 64 KiB, so reading
        // it after standard output cannot block the child.
        printed += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 128 + SIGTERM, "\(process.terminationStatus): \(errors)")
        let lines = errors.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(lines.count == 1 && lines[0].contains("stopped by SIGTERM in epoch ") && lines[0].contains(checkpoint.path),
                "stderr was: \(errors)")
        let saved = try Checkpoint.read(from: checkpoint)
        #expect(saved.epochsCompleted >= 1 && lines.first?.contains("holds epoch \(saved.epochsCompleted)") == true, "\(errors)")
        #expect(!printed.contains("Test:"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.safetensors"])
    }

    /// A fault the seam does not know is refused before any work, not ignored.
    @Test func anUnknownFaultIsRefused() throws {
        let outcome = try SignetProcess.run(["train", "--digits", "1,7", "--per-class", "10", "--epochs", "1", "--device", "cpu"],
                                            environment: ["SIGNET_FAULT": "kill:stpe=3"])
        #expect(outcome.status == 1 && outcome.standardError.contains("SIGNET_FAULT='kill:stpe=3'"), "\(outcome.standardError)")
        #expect(!outcome.standardOutput.contains("Epoch"))
    }

    /// `--lr 1e6` on ten digits once trained on to 10% accuracy without a word (the loss stays
    /// finite, pinned at the clip bound): it must stop in one line naming the epoch and step, exit
    /// non-zero, and checkpoint nothing past the last sound epoch.
    @Test func divergingTrainingStopsInOneLine() throws {
        let checkpoint = temporaryPath("diverged.safetensors")
        defer { try? FileManager.default.removeItem(atPath: checkpoint) }
        let outcome = try SignetProcess.run(["train", "--per-class", "50", "--lr", "1e6", "--epochs", "3", "--device", "cpu",
                                             "--quiet", "--save", checkpoint])
        #expect(outcome.status != 0)
        let errors = outcome.errorLines
        #expect(errors.count == 1 && errors[0].contains("diverged by epoch") && errors[0].contains("step")
                && errors[0].contains("lower learning rate"), "stderr was: \(outcome.standardError)")
        #expect(!outcome.standardOutput.contains("Test:"), "no test metrics of a diverged model")
        let epoch = try #require(errors.first.flatMap { $0.split(separator: "epoch ").last?.prefix { $0.isNumber } }.flatMap { Int($0) })
        if FileManager.default.fileExists(atPath: checkpoint) {
            let saved = try Checkpoint.read(from: URL(fileURLWithPath: checkpoint))
            #expect(saved.epochsCompleted < epoch, "the checkpoint holds an epoch before the diverged one")
        }
    }

    @Test(arguments: ["cnn", "cnn-sig", "conv(8,5,stride=2,same) pool(2) flatten dense(16,tanh)"])
    func convolutionalModelsTrainAndEvaluate(model: String) throws {
        let checkpoint = temporaryPath("cnn.safetensors")
        defer { try? FileManager.default.removeItem(atPath: checkpoint) }
        let trained = try SignetProcess.run(["train", "--model", model, "--digits", "0,1", "--per-class", "40", "--epochs", "2",
                                             "--batch", "16", "--device", "cpu", "--save", checkpoint, "--json"])
        #expect(trained.status == 0, "\(trained.standardError)")
        let report = try json(trained.standardOutput)
        let layers = try #require((report["model"] as? [String: Any])?["layers"] as? [[String: Any]])
        #expect(layers.count >= 3)
        #expect((report["model"] as? [String: Any])?["inputShape"] as? [Int] == [28, 28, 1])
        let accuracy = try #require(((report["test"] as? [String: Any])?["metrics"] as? [String: Any])?["accuracy"] as? Double)
        #expect(accuracy > 0.9, "0 and 1 are easy: \(accuracy)")
        let evaluated = try SignetProcess.run(["evaluate", "--checkpoint", checkpoint, "--device", "opencl", "--json"])
        #expect(evaluated.status == 0, "\(evaluated.standardError)")
        let again = try #require((try json(evaluated.standardOutput)["metrics"] as? [String: Any])?["accuracy"] as? Double)
        #expect(abs(again - accuracy) < 0.002, "the OpenCL backend evaluates a CPU-trained CNN alike")
    }

    @Test func modelFromAFile() throws {
        let file = temporaryPath("model.txt")
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "# a small CNN\nconv(4,3)   # first layer\npool(2)\nflatten\n".write(toFile: file, atomically: true, encoding: .utf8)
        let outcome = try SignetProcess.run(["train", "--model", file, "--digits", "0,1", "--per-class", "20", "--epochs", "1",
                                             "--device", "cpu"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("Test:"))
    }

    @Test(arguments: [
        (["train", "--model", "conv(32)"], "missing kernel size"),
        (["train", "--model", "lstm(4)"], "unknown layer 'lstm'"),
        (["train", "--model", "resnet"], "unknown --model 'resnet'"),
        (["train", "--model", "cnn", "--hidden", "32"], "--hidden shapes the dense network"),
    ])
    func badModelsAreRejectedBeforeTraining(arguments: [String], message: String) throws {
        let outcome = try SignetProcess.run(arguments)
        #expect(outcome.status != 0)
        #expect(outcome.standardError.contains(message), "stderr was: \(outcome.standardError)")
        #expect(!outcome.standardOutput.contains("Epoch"))
    }

    /// Sizes at the edge of the integer range that still describe a valid run must train, not trap.
    @Test(arguments: [["--batch", "9223372036854775807"], ["--model", "pool(2,stride=9223372036854775807,same) flatten"]])
    func extremeButValidSizesTrain(flags: [String]) throws {
        let outcome = try SignetProcess.run(["train", "--digits", "1,7", "--per-class", "5", "--epochs", "1", "--device", "cpu"] + flags)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("Test:"))
    }

    /// A batch whose training memory is more than half the backend's is refused before the first
    /// step, with the estimate and what it was compared with. (`cnn2` over all 60,000 training
    /// images in one batch, estimated at 17.7 GiB, was killed for memory on a 23 GiB host; the
    /// two wide convolutions here need 418 GiB, more than any machine this runs on.)
    @Test func aBatchTooLargeForTheMemoryIsRefused() throws {
        let outcome = try SignetProcess.run(["train", "--model", "conv(512,3) conv(512,3) flatten dense(10)", "--batch", "60000",
                                             "--epochs", "1", "--device", "cpu", "--quiet"])
        #expect(outcome.status == 1)
        let errors = outcome.errorLines
        #expect(errors.count == 1 && errors[0].contains("a batch of 60,000 needs about") && errors[0].contains("more than half the")
                && errors[0].contains("use a smaller batch"), "stderr was: \(outcome.standardError)")
        #expect(!outcome.standardOutput.contains("Epoch"))
    }

    @Test func damagedCheckpointIsRefused() throws {
        let path = temporaryPath("damaged.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("definitely not a checkpoint".utf8).write(to: URL(fileURLWithPath: path))
        let outcome = try SignetProcess.run(["evaluate", "--checkpoint", path])
        #expect(outcome.status != 0)
        #expect(outcome.standardError.contains("not a valid safetensors file"))
    }
}
