import Foundation
import FuzzEntryPoints
import Testing

/// Replays the fuzzers' inputs kept in the repo through the entries the fuzz target calls
/// (`FuzzEntryPoints`): the seeds of `Fuzz/Corpus`, which are valid files and must parse, and
/// every input a fuzzer found in `Fuzz/Regressions`, which may be refused but must never trap.
/// A trap ends the test process, which fails the run.
@Suite("Fuzzers' inputs, replayed")
struct FuzzRegressionTests {
    static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    /// The files in `Fuzz/<folder>/<target>`, sorted (none when the folder is absent).
    static func inputs(_ folder: String, _ target: String) throws -> [URL] {
        let directory = fuzz.appendingPathComponent(folder).appendingPathComponent(target)
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }.sorted { $0.path < $1.path }
    }

    @Test("Every target has seeds, and every corpus folder is a target")
    func corporaMatchTheTargets() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.fuzz.appendingPathComponent("Corpus").path)
            .filter { !$0.hasPrefix(".") }
        #expect(Set(folders) == Set(FuzzEntryPoints.targets.keys))
        for target in FuzzEntryPoints.targets.keys {
            #expect(try !Self.inputs("Corpus", target).isEmpty, "no seeds for \(target)")
        }
        let regressions = Self.fuzz.appendingPathComponent("Regressions")
        if FileManager.default.fileExists(atPath: regressions.path) {
            for folder in try FileManager.default.contentsOfDirectory(atPath: regressions.path) where !folder.hasPrefix(".") {
                #expect(FuzzEntryPoints.targets[folder] != nil, "Regressions/\(folder) is not a target")
            }
        }
    }

    @Test("The seeds are valid inputs: each parses without an error", arguments: FuzzEntryPoints.targets.keys.sorted())
    func seedsParse(target: String) throws {
        let entry = try #require(FuzzEntryPoints.targets[target])
        for input in try Self.inputs("Corpus", target) {
            #expect(throws: Never.self, "\(target)/\(input.lastPathComponent)") { try entry(Data(contentsOf: input)) }
        }
    }

    @Test("Inputs the fuzzers found are refused or read, never a trap", arguments: FuzzEntryPoints.targets.keys.sorted())
    func regressionsDoNotTrap(target: String) throws {
        let entry = try #require(FuzzEntryPoints.targets[target])
        for input in try Self.inputs("Regressions", target) {
            _ = try? entry(Data(contentsOf: input))
        }
    }
}
