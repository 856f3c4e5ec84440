import Foundation
import Learning
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
        let folder = try temporaryFolder("disk")
        defer { try? FileManager.default.removeItem(at: folder) }
        let mount = try SignetProcess.run(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", folder.path])
        try #require(mount.status == 0, "cannot mount a tmpfs to fill (needs root): \(mount.standardError)")
        defer { _ = try? SignetProcess.run(URL(fileURLWithPath: "/bin/umount"), [folder.path]) }
        try body(folder)
    }

    /// Fills `folder`'s disk but for `leaving` bytes.
    func fill(_ folder: URL, leaving: Int) throws {
        let free = try #require(try FileManager.default.attributesOfFileSystem(forPath: folder.path)[.systemFreeSize] as? Int)
        try Data(count: max(free - leaving, 0)).write(to: folder.appendingPathComponent("filler"))
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
            let kinds: Set<String> = ["", "json", "safetensors", "csv", "html", "png", "js", "css"]
            #expect(written.allSatisfy { kinds.contains(($0 as NSString).pathExtension) && !($0 as NSString).lastPathComponent.hasPrefix(".") },
                    "no temporary file: \(written)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: disk.path).sorted() == ["filler", "study"])
        }
    }
}
