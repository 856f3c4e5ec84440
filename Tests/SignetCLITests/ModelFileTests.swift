import Foundation
@testable import signet
import Testing

/// `--model` with a model file: a path that exists is a file, whatever its name looks like, and
/// it is read once. Each test runs `signet` in a fresh folder, so that model files are named
/// relatively, as a user types them (`--model conv.txt`, not an absolute path).
@Suite("--model files", .serialized)
struct ModelFileTests {
    func layers(ofModelTrainedWith model: String, in folder: URL) throws -> [[String: Any]] {
        let outcome = try SignetProcess.run(["train", "--model", model, "--digits", "0,1", "--per-class", "10", "--epochs", "1",
                                             "--batch", "16", "--device", "cpu", "--json"], in: folder)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any])
        return try #require((report["model"] as? [String: Any])?["layers"] as? [[String: Any]])
    }

    /// Names that start like a layer string (`conv`, `dense`) or that are a preset's (`cnn2`):
    /// each is read as the file it is.
    @Test func filesWhoseNamesLookLikeLayersOrPresetsAreFiles() throws {
        let folder = try temporaryFolder("models")
        defer { try? FileManager.default.removeItem(at: folder) }
        try "conv(4,3)  # one small convolution\nflatten\n".write(to: folder.appendingPathComponent("conv.txt"), atomically: true, encoding: .utf8)
        try "conv(2,5) pool(2) flatten dense(8)".write(to: folder.appendingPathComponent("cnn2"), atomically: true, encoding: .utf8)
        let dense = """
            {"inputShape": [784], "layers": [
              {"dense": {"name": "hidden_1", "units": 64, "activation": "relu"}},
              {"dense": {"name": "output", "units": 2, "activation": "softmax"}}]}
            """
        try dense.write(to: folder.appendingPathComponent("dense64.json"), atomically: true, encoding: .utf8)

        let fromText = try layers(ofModelTrainedWith: "conv.txt", in: folder)
        #expect(fromText.compactMap(\.keys.first) == ["conv2d", "flatten", "dense"], "\(fromText)")
        let notThePreset = try layers(ofModelTrainedWith: "cnn2", in: folder)
        #expect(notThePreset.compactMap(\.keys.first) == ["conv2d", "maxPool2d", "flatten", "dense", "dense"], "\(notThePreset)")
        let fromJSON = try layers(ofModelTrainedWith: "dense64.json", in: folder)
        #expect(fromJSON.count == 2)
        #expect((fromJSON.first?["dense"] as? [String: Any])?["units"] as? Int == 64, "\(fromJSON)")
    }

    /// The options parse the file once: everything after parsing (the settings, validation, the
    /// model) uses what was read then, even once the file is gone.
    @Test func aModelFileIsReadOnce() throws {
        let folder = try temporaryFolder("models")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("pool.txt")
        try "conv(3,3) pool(2) flatten".write(to: file, atomically: true, encoding: .utf8)
        let options = try ModelOptions.parse(["--model", file.path])
        try FileManager.default.removeItem(at: file)
        #expect(options.model == .layers("conv(3,3) pool(2) flatten"))
        try options.validate()
        #expect(options.settings.batchSize == 128, "a CNN's defaults, not the dense network's")
        #expect(try options.modelSpec(classes: 2).layers.count == 4)
    }

    @Test func aFolderIsNotAModelFile() throws {
        let folder = try temporaryFolder("models")
        defer { try? FileManager.default.removeItem(at: folder) }
        let named = folder.appendingPathComponent("cnn")
        try FileManager.default.createDirectory(at: named, withIntermediateDirectories: true)
        let outcome = try SignetProcess.run(["train", "--model", "cnn", "--epochs", "0"], in: folder)
        #expect(outcome.standardError.contains("--epochs must be at least 1"), "the preset, parsed past: \(outcome.standardError)")
    }
}
