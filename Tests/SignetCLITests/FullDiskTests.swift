import Foundation
import Learning
import SharedTestData
import Testing

/// A disk that fills up under a run: a small tmpfs, mounted for the test (CI runs as root on a
/// machine that allows it; where mounting is refused the test fails and says why, rather than
/// passing untested). The write that does not fit fails in one line naming the file and the
/// reason, the exit status says so, the files written before stay whole, and no temporary file
/// is left behind.
@Suite("A full disk", .serialized)
struct FullDiskTests {
    /// A tmpfs of `kilobytes` at a fresh folder, handed to `body`, unmounted after.
    func withSmallDisk(kilobytes: Int, _ body: (URL) throws -> Void) throws {
        try SmallDisk.with(kilobytes: kilobytes) { try body($0.folder) }
    }

    /// Fills `folder`'s disk but for `leaving` bytes.
    func fill(_ folder: URL, leaving: Int) throws {
        try SmallDisk(folder: folder).fill(leaving: leaving)
    }

    @Test func aCheckpointThatDoesNotFitKeepsTheLastOne() throws {
        try withSmallDisk(kilobytes: 2048) { disk in
            let checkpoint = disk.appendingPathComponent("model.safetensors")
            let first = try SignetProcess.run(["train", "--digits", "1,7", "--per-class", "10", "--epochs", "1", "--device", "cpu",
                                               "--quiet", "--save", checkpoint.path])
            #expect(first.status == 0, "\(first.standardError)")
            let saved = try Data(contentsOf: checkpoint)
            try fill(disk, leaving: saved.count / 3)
            let second = try SignetProcess.run(["train", "--resume", checkpoint.path, "--epochs", "2", "--save", checkpoint.path,
                                                "--device", "cpu", "--quiet"])
            #expect(second.status == 1)
            let errors = second.errorLines
            #expect(errors.count == 1 && errors[0].contains(checkpoint.path) && errors[0].contains("enough space"),
                    "stderr was: \(second.standardError)")
            #expect(try Data(contentsOf: checkpoint) == saved, "the epoch-1 checkpoint is untouched")
            #expect(try Checkpoint.read(from: checkpoint).epochsCompleted == 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: disk.path).sorted() == ["filler", "model.safetensors"])
        }
    }

    @Test func aStudyThatDoesNotFitSaysSoAndLeavesOnlyWholeFiles() throws {
        try withSmallDisk(kilobytes: 1024) { disk in
            try fill(disk, leaving: 20_000)
            let out = disk.appendingPathComponent("study")
            let outcome = try SignetProcess.run(["study", "--digits", "1,7", "--per-class", "20", "--epochs", "1", "--kmax", "3",
                                                 "--device", "cpu", "--quiet", "--out", out.path])
            #expect(outcome.status == 1)
            let errors = outcome.errorLines
            #expect(errors.count == 1 && errors[0].contains(out.path) && errors[0].contains("enough space"),
                    "stderr was: \(outcome.standardError)")
            // Every file there is one the study finished: JSON that parses, safetensors that read.
            let written = FileManager.default.enumerator(atPath: out.path)?.compactMap { $0 as? String } ?? []
            for name in written where name.hasSuffix(".json") {
                #expect((try? JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent(name)))) != nil, "\(name) is whole")
            }
            // The journal stays (the study resumes once there is room), every file of it whole.
            for name in written where name.hasSuffix(".safetensors") {
                #expect((try? SafeTensors(decoding: Data(contentsOf: out.appendingPathComponent(name)))) != nil, "\(name) is whole")
            }
            let kinds: Set<String> = ["", "json", "safetensors", "csv", "html", "png", "js", "css"]
            // A hidden name is a temporary file, but for the journal's folder.
            let hidden = written.filter { $0.split(separator: "/").contains { $0.hasPrefix(".") && $0 != ".signet-study" } }
            #expect(written.allSatisfy { kinds.contains(($0 as NSString).pathExtension) } && hidden.isEmpty, "no temporary file: \(written)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: disk.path).sorted() == ["filler", "study"])
        }
    }
}
