import Foundation
import Testing

/// docs/GUIDE.md, run: every line of its `sh` blocks that starts with `signet`, in order, in one
/// scratch folder (with `docs/` linked in, for the example checkpoint), each expected to exit 0.
///
/// Sizes are cut to seconds by flags appended to the guide's own (the last value of a flag wins):
/// the commands, their flags and their order are the guide's, and every one of them runs. A
/// guide line this test cannot run fails it.
@Suite("docs/GUIDE.md", .serialized)
struct GuideTests {
    /// What each command gets appended, to run in seconds on a debug build.
    static let shrink: [String: [String]] = [
        "study": ["--per-class", "20", "--analyze", "train", "--epochs", "2", "--n-init", "2", "--kmax", "3", "--device", "cpu"],
        // A study of a checkpoint takes its data and model from it: no data or training flags.
        "study --checkpoint": ["--n-init", "2", "--kmax", "3", "--device", "cpu"],
        "sweep": ["--only", "17", "--per-class", "20", "--n-init", "2", "--kmax", "3", "--device", "cpu"],
        "train": ["--per-class", "20", "--epochs", "1", "--device", "cpu"],
        "bench": ["--gemm-sizes", "64", "--repeats", "3"],
        "evaluate": ["--device", "cpu"],
        "summary": ["--device", "cpu"],
    ]

    /// The `signet` lines of the guide's `sh` blocks, comments dropped, as argument lists.
    static func commands() throws -> [[String]] {
        let guide = try String(contentsOf: BuildAndSummaryTests.packageDirectory.appendingPathComponent("docs/GUIDE.md"), encoding: .utf8)
        var commands: [[String]] = [], inShell = false
        for line in guide.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inShell = line == "```sh"
                continue
            }
            guard inShell else { continue }
            let code = line.components(separatedBy: "  #")[0].trimmingCharacters(in: .whitespaces)
            guard code.hasPrefix("signet ") || code == "signet" else { continue }
            commands.append(try words(code))
        }
        return commands
    }

    /// Shell words: spaces separate, double quotes group; anything fancier is refused.
    static func words(_ line: String) throws -> [String] {
        guard !line.contains(where: { "$`\\|;&<>'".contains($0) }) else {
            throw GuideError("a guide command the test cannot run as plain words: \(line)")
        }
        var words: [String] = [], current = "", quoted = false
        for character in line {
            if character == "\"" { quoted.toggle(); continue }
            if character == " " && !quoted {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    struct GuideError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test func everyCommandOfTheGuideRuns() throws {
        let commands = try Self.commands()
        let names = commands.map { $0.dropFirst().first ?? "" }
        // The guide's path: the first study and its report, the full study, the CNN, the sweep,
        // training and the benchmark, a model trained elsewhere.
        for expected in ["study", "report", "summary", "sweep", "train", "evaluate", "bench"] {
            #expect(names.contains(expected), "the guide runs signet \(expected)")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("signet-guide-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createSymbolicLink(at: scratch.appendingPathComponent("docs"),
                                                   withDestinationURL: BuildAndSummaryTests.packageDirectory.appendingPathComponent("docs"))
        for command in commands {
            let name = (command.dropFirst().first ?? "") + (command.contains("--checkpoint") && command.contains("study") ? " --checkpoint" : "")
            let arguments = Array(command.dropFirst()) + (Self.shrink[name] ?? [])
            let outcome = try SignetProcess.run(arguments, in: scratch)
            #expect(outcome.status == 0, "\(command.joined(separator: " ")): exit \(outcome.status)\n\(outcome.standardError.suffix(2000))")
        }
        // What the guide says the commands leave behind.
        for file in ["study/result.json", "study/index.html", "study-all/result.json", "study-cnn/index.html", "sweep/index.json",
                     "sweep/index.html", "model-17.safetensors", "study-pytorch/result.json"] {
            #expect(FileManager.default.fileExists(atPath: scratch.appendingPathComponent(file).path), "\(file) written")
        }
    }

    /// The example checkpoint (written by docs/examples/signet_checkpoint.py from a PyTorch
    /// model) evaluates as numpy's forward pass of its weights does: 2,147 of the 2,163 test
    /// images of 1 and 7 right, mean cross-entropy 0.0245408 (numpy, float32, clipped at 1e-7
    /// as Keras).
    @Test func theExampleCheckpointEvaluatesAsNumpyDoes() throws {
        let path = BuildAndSummaryTests.packageDirectory.appendingPathComponent("docs/examples/pytorch-17.safetensors").path
        let outcome = try SignetProcess.run(["evaluate", "--checkpoint", path, "--device", "cpu", "--json"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any])
        #expect(result["count"] as? Int == 2163)
        let loss = try #require(result["loss"] as? Double)
        #expect(abs(loss - 0.0245408) < 1e-5, "loss \(loss)")
        let metrics = try #require(result["metrics"] as? [String: Any])
        let accuracy = try #require(metrics["accuracy"] as? Double)
        #expect(abs(accuracy - 2147.0 / 2163.0) < 1e-9, "accuracy \(accuracy)")
    }
}
