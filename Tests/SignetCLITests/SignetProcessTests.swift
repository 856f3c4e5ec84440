import Dispatch
import Foundation
import Testing

/// The helper every command-line test runs `signet` through.
@Suite("Running a command and reading what it prints")
struct SignetProcessTests {
    /// What the helper returned, handed from the thread that ran it.
    final class Result: @unchecked Sendable {
        var outcome: SignetProcess.Outcome?
    }

    /// More than a pipe holds (64 KiB) on standard error, with standard output after it: read one
    /// stream to its end before the other and the child blocks on the full pipe while the
    /// reader waits for its end, forever. The helper runs on a thread of its own, so that such a
    /// fault fails this test after a minute instead of hanging the suite.
    @Test func aLongStandardErrorDoesNotBlockTheChild() throws {
        let result = Result(), finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            result.outcome = try? SignetProcess.run(URL(fileURLWithPath: "/bin/sh"),
                                                    ["-c", "head -c 300000 /dev/zero | tr '\\0' e >&2; echo done; exit 3"])
            finished.signal()
        }
        guard finished.wait(timeout: .now() + 60) == .success else {
            Issue.record("the child still runs after a minute: its standard error is not being read")
            return
        }
        let outcome = try #require(result.outcome)
        #expect(outcome.status == 3)
        #expect(outcome.standardOutput == "done\n")
        #expect(outcome.standardError.count == 300_000 && outcome.standardError.allSatisfy { $0 == "e" })
    }
}
