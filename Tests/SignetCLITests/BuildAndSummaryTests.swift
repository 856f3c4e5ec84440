import Foundation
import Learning
import SignetBuild
import Testing

/// What a newcomer reaches for first: `signet` alone, `--version`, completions, the model summary
/// (`signet summary`, and before training), `--quiet`, and logs without control characters.
@Suite("signet version, overview and summary", .serialized)
struct BuildAndSummaryTests {
    /// The package folder: the test bundle is in `.build/<triple>/debug/`.
    static var packageDirectory: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }

    @Test func theVersionNamesTheBuild() throws {
        let outcome = try SignetProcess.run(["--version"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let line = outcome.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line == SignetBuild.current.line)
        let build = SignetBuild.current
        #expect(build.version.split(separator: ".").count == 3 && build.version.split(separator: ".").allSatisfy { Int($0) != nil })
        #expect(build.swift.hasPrefix("6."), "Swift \(build.swift)")
        #expect(["avx2", "portable"].contains(build.engine))
        #expect(build.configuration == "debug", "the tests run a debug build")
        // Built from this checkout: the stamped commit is the one git names (dirty or not).
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        git.arguments = ["git", "-C", Self.packageDirectory.path, "rev-parse", "--short=12", "HEAD"]
        let pipe = Pipe()
        git.standardOutput = pipe
        git.standardError = FileHandle.nullDevice
        try git.run()
        git.waitUntilExit()
        let head = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if git.terminationStatus == 0 {
            #expect(build.commit == head || build.commit == head + "+dirty", "stamped \(build.commit), git HEAD \(head)")
        } else {
            #expect(build.commit == "unknown")
        }
    }

    @Test func signetAloneStartsWithTheMainCommand() throws {
        let outcome = try SignetProcess.run([])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let lines = outcome.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("signet \(SignetBuild.current.version): ") == true, "\(lines.first ?? "")")
        let commands = lines.filter { $0.hasPrefix("  signet ") }
        #expect(commands.first?.hasPrefix("  signet study ") == true, "the main command comes first: \(commands)")
        #expect(lines.count < 20, "an overview, not the full help")
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptsKnowEveryCommand(shell: String) throws {
        let outcome = try SignetProcess.run(["--generate-completion-script", shell])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        for command in ["study", "sweep", "report", "train", "evaluate", "summary", "bench", "devices", "selftest"] {
            #expect(outcome.standardOutput.contains(command), "\(shell) completions lack \(command)")
        }
    }

    /// The study's dense network as Keras counts it: 784 * 32 + 32, 32 * 64 + 64, 64 * 2 + 2.
    @Test func theSummaryCountsAsKerasDoes() throws {
        let outcome = try SignetProcess.run(["summary", "--digits", "1,7", "--device", "cpu", "--json"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let summary = try JSONDecoder().decode(ModelSummary.self, from: Data(outcome.standardOutput.utf8))
        #expect(summary.model == "784-32-64-2")
        #expect(summary.layers.map(\.parameters) == [25_120, 2_112, 130])
        #expect(summary.layers.map(\.outputShape) == [[32], [64], [2]])
        #expect(summary.layers.map(\.activation) == ["relu", "relu", "softmax"])
        #expect(summary.trainableParameters == 27_362)
        // Adam: weights, gradients, m and v; batch 32: every layer's output and its gradient.
        #expect(summary.parameterStateBytes == 4 * 27_362 * 4)
        #expect(summary.activationBytesPerBatch == 4 * 2 * (32 + 64 + 2) * 32)
        #expect(summary.trainingBytesPerBatch == summary.parameterStateBytes + summary.activationBytesPerBatch)
    }

    /// Keras's `Conv2D(32, 3)` on 28 x 28 x 1: 26 x 26 x 32 and 3 * 3 * 1 * 32 + 32 parameters;
    /// the pool halves it; the table shows each row and the totals.
    @Test func theCNNSummaryAsATable() throws {
        let outcome = try SignetProcess.run(["summary", "--model", "cnn", "--digits", "1,7", "--device", "cpu", "--batch", "16"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let text = outcome.standardOutput
        #expect(text.contains("conv_1 (Conv2D)        (None, 26, 26, 32)     320  relu"), "\(text)")
        #expect(text.contains("pool_1 (MaxPooling2D)  (None, 13, 13, 32)       0"), "\(text)")
        #expect(text.contains("Trainable parameters: 11,138 (43.5 KiB)"), "\(text)")
        #expect(text.contains("Training memory per batch of 16, estimated: "), "\(text)")
    }

    @Test func aCheckpointsSummaryIsItsModels() throws {
        let folder = try temporaryFolder("summary")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("model.safetensors").path
        let trained = try SignetProcess.run(["train", "--digits", "1,7", "--per-class", "20", "--epochs", "1", "--hidden", "8,4",
                                             "--device", "cpu", "--save", path, "--quiet"])
        #expect(trained.status == 0, "\(trained.standardError)")
        let fromCheckpoint = try SignetProcess.run(["summary", "--checkpoint", path, "--device", "cpu", "--json"])
        let fromFlags = try SignetProcess.run(["summary", "--digits", "1,7", "--hidden", "8,4", "--device", "cpu", "--json"])
        #expect(fromCheckpoint.status == 0 && fromFlags.status == 0, "\(fromCheckpoint.standardError) \(fromFlags.standardError)")
        #expect(fromCheckpoint.standardOutput == fromFlags.standardOutput)
        // The checkpoint names the build that wrote it.
        #expect(try Checkpoint.read(from: URL(fileURLWithPath: path)).build == SignetBuild.current)

        let missing = try SignetProcess.run(["summary", "--checkpoint", folder.appendingPathComponent("none").path])
        #expect(missing.status != 0)
        #expect(missing.standardError.split(separator: "\n").count == 1, "one line: \(missing.standardError)")
        #expect(missing.standardOutput.isEmpty)
    }

    /// Training prints the summary before the first epoch; `--quiet` hides it (and the bar), and
    /// a pipe gets whole lines: no carriage return, no escape sequence.
    @Test func trainShowsTheSummaryUnlessQuiet() throws {
        let arguments = ["train", "--digits", "1,7", "--per-class", "20", "--epochs", "2", "--device", "cpu"]
        let loud = try SignetProcess.run(arguments), quiet = try SignetProcess.run(arguments + ["--quiet"])
        #expect(loud.status == 0 && quiet.status == 0, "\(loud.standardError) \(quiet.standardError)")
        let summaryAt = try #require(loud.standardOutput.range(of: "Trainable parameters: 27,362"))
        let firstEpochAt = try #require(loud.standardOutput.range(of: "Epoch 1/2"))
        #expect(summaryAt.lowerBound < firstEpochAt.lowerBound, "the summary comes before training")
        #expect(!quiet.standardOutput.contains("Trainable parameters"))
        #expect(quiet.standardOutput.contains("Epoch 2/2"), "the epoch lines stay")
        for text in [loud.standardOutput, loud.standardError, quiet.standardOutput] {
            #expect(!text.contains("\r") && !text.contains("\u{1B}"), "no control characters in a pipe")
        }
    }
}
