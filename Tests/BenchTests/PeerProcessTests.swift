import Bench
import Foundation
import Glibc
import Testing

/// The served peers' protocol (`PeerProcess`, what `training_peer.py` and `umap_peer.py --serve`
/// speak), against a stand-in script in `sh`: CI has no peer venvs, and the protocol is the
/// same whichever library answers.
@Suite("signet bench: a served peer's protocol")
struct PeerProcessTests {
    /// A peer that prints a ready line, answers `run X` with `{"seconds": 0.25, "request": "X"}`,
    /// `garbage` with a line that is not JSON, `die` by exiting, and `quit` by ending.
    static let standIn = """
        printf '{"ready": true, "version": "9.9", "arguments": "%s"}\\n' "$*"
        while read -r line; do
          case "$line" in
            quit) exit 0 ;;
            "run "*) printf '{"seconds": 0.25, "request": "%s"}\\n' "${line#run }" ;;
            garbage) echo "Traceback (most recent call last):" ;;
            die) exit 3 ;;
          esac
        done
        """

    /// `body` written as a script in a scratch folder, removed after `test`.
    static func withScript(_ body: String, _ test: (URL) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("peer-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("peer.sh")
        try Data(body.utf8).write(to: script)
        try test(script)
    }

    /// Whether a process of that identifier still exists (not yet ended and reaped).
    static func exists(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }

    @Test func readsTheReadyLineThenAnswersEachRequestInTurn() throws {
        try Self.withScript(Self.standIn) { script in
            let peer = try PeerProcess(python: "/bin/sh", script: script, arguments: ["--serve", "x.safetensors"], peer: "stand-in")
            #expect(peer.ready["version"] as? String == "9.9")
            #expect(peer.ready["arguments"] as? String == "--serve x.safetensors")
            #expect(try peer.seconds(for: "run 0:10") == 0.25)
            #expect(try peer.request("run 0:70000")["request"] as? String == "0:70000")
            #expect(try peer.request("run 5:6")["request"] as? String == "5:6")
            let pid = peer.processIdentifier
            #expect(Self.exists(pid))
            peer.stop()
            #expect(!Self.exists(pid))
        }
    }

    @Test func anAnswerThatIsNotJSONNamesThePeerAndTheLine() throws {
        try Self.withScript(Self.standIn) { script in
            let peer = try PeerProcess(python: "/bin/sh", script: script, arguments: [], peer: "stand-in")
            defer { peer.stop() }
            #expect(throws: BenchError("stand-in: not a JSON line: Traceback (most recent call last):")) {
                try peer.request("garbage")
            }
        }
    }

    @Test func aPeerThatEndsIsAnErrorNotAHang() throws {
        try Self.withScript(Self.standIn) { script in
            let peer = try PeerProcess(python: "/bin/sh", script: script, arguments: [], peer: "stand-in")
            defer { peer.stop() }
            #expect(throws: BenchError("stand-in: its process ended (its errors are above)")) {
                try peer.request("die")
            }
            // Writing to its closed pipe: an error too, not SIGPIPE ending the tests.
            Thread.sleep(forTimeInterval: 0.1)
            #expect(throws: BenchError("stand-in: its process ended (its errors are above)")) {
                try peer.request("run 0:1")
            }
        }
        try Self.withScript("echo 'ImportError: no module named umap' >&2; exit 1\n") { script in
            #expect(throws: BenchError("stand-in: its process ended (its errors are above)")) {
                try PeerProcess(python: "/bin/sh", script: script, arguments: [], peer: "stand-in")
            }
        }
    }

    @Test func aFirstLineThatIsNotReadyIsRefused() throws {
        try Self.withScript("echo '{\"ready\": false}'; read -r line\n") { script in
            #expect(throws: BenchError("stand-in: no ready line")) {
                try PeerProcess(python: "/bin/sh", script: script, arguments: [], peer: "stand-in")
            }
        }
    }

    @Test func anAnswerWithoutSecondsIsRefused() throws {
        let lossOnly = """
            printf '{"ready": true}\\n'
            while read -r line; do [ "$line" = quit ] && exit 0; printf '{"loss": 1}\\n'; done
            """
        try Self.withScript(lossOnly) { script in
            let peer = try PeerProcess(python: "/bin/sh", script: script, arguments: [], peer: "stand-in")
            defer { peer.stop() }
            #expect(throws: BenchError("stand-in: no seconds in its answer")) {
                try peer.seconds(for: "epoch")
            }
        }
    }

    @Test func aPoolStartsOneProcessPerKeyAndEndsThemAll() throws {
        try Self.withScript(Self.standIn) { script in
            let pool = PeerProcessPool()
            var starts = 0
            let start = {
                starts += 1
                return try PeerProcess(python: "/bin/sh", script: script, arguments: [], peer: "stand-in")
            }
            let first = try pool.process("umap-learn", start: start)
            let second = try pool.process("umap-learn", start: start)
            let other = try pool.process("other", start: start)
            #expect(starts == 2)
            #expect(first === second)
            #expect(try second.seconds(for: "run 0:1") == 0.25)
            pool.stopAll()
            #expect(!Self.exists(first.processIdentifier))
            #expect(!Self.exists(other.processIdentifier))
            _ = try pool.process("umap-learn", start: start)
            #expect(starts == 3)
            pool.stopAll()
        }
    }
}
