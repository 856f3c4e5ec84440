import Dispatch
import Foundation
import SharedTestData

/// Runs the built `signet` binary, as a user would, and captures what it prints.
struct SignetProcess {
    struct Outcome {
        /// The exit status, or the signal's number when `killedBySignal`.
        var status: Int32
        var killedBySignal = false
        var standardOutput: String
        var standardError: String
    }

    /// `signet` sits beside the test bundle in the build products folder.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("signet")
    }

    /// The data folder (`SharedTestData`).
    static var dataDirectory: URL { SharedTestData.directory }

    /// - Parameter directory: the working directory, for relative paths in the arguments.
    static func run(_ arguments: [String], environment extra: [String: String] = [:], in directory: URL? = nil) throws -> Outcome {
        try run(executable, arguments, environment: extra, in: directory)
    }

    /// What a finished stream's reader read, handed from its thread to the waiting one.
    private final class Collected: @unchecked Sendable {
        var data = Data()
    }

    /// Runs `program` with `signet`'s environment (the one `run` gives signet).
    static func run(_ program: URL, _ arguments: [String], environment extra: [String: String] = [:],
                    in directory: URL? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "SIGNET_DEVICE")
        // The default kernel parameters, whatever `signet tune` stored on this machine.
        environment["SIGNET_TUNING"] = "defaults"
        environment["SIGNET_DATA"] = dataDirectory.path
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Both streams are read at once, and before waiting: a child blocked on a full pipe
        // (64 KiB) that nobody reads would never end. Standard error on a thread of its own,
        // standard output here.
        let err = Collected(), errorRead = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            err.data = error.fileHandleForReading.readDataToEndOfFile()
            errorRead.signal()
        }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        errorRead.wait()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, killedBySignal: process.terminationReason == .uncaughtSignal,
                       standardOutput: String(decoding: out, as: UTF8.self),
                       standardError: String(decoding: err.data, as: UTF8.self))
    }
}

extension SignetProcess.Outcome {
    /// The lines of standard error that report a failure (`Error: ...`), in order.
    var errorLines: [Substring] { standardError.split(separator: "\n").filter { $0.hasPrefix("Error:") } }
}

/// A new empty folder under the temporary directory, named `signet-<name>-<UUID>`; the caller removes it.
func temporaryFolder(_ name: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("signet-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}
