import Foundation
import SharedTestData

/// Runs the built `signet` binary, as a user would, and captures what it prints.
struct SignetProcess {
    struct Outcome {
        var status: Int32
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
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "SIGNET_DEVICE")
        environment["SIGNET_DATA"] = dataDirectory.path
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Read before waiting, so a full pipe cannot block the child.
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus,
                       standardOutput: String(decoding: out, as: UTF8.self),
                       standardError: String(decoding: err, as: UTF8.self))
    }
}
