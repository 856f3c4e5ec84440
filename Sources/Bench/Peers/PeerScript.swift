import Foundation

/// A peer script run once to its end (`sklearn_clustering.py`, `umap_peer.py`): its standard
/// output is one JSON object; its progress goes to this process's standard error.
enum PeerScript {
    /// Runs `python script arguments` and returns the JSON object it printed.
    /// - Throws: `BenchError` when it cannot start, fails, or prints something else.
    static func run(python: String, script: URL, _ arguments: [String]) throws -> [String: Any] {
        let name = script.lastPathComponent
        let (status, data) = try output(of: python, [script.path] + arguments, errors: FileHandle.standardError)
        guard status == 0 else { throw BenchError("\(name) failed with status \(status) (its errors are above)") }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw BenchError("\(name) printed no JSON object")
        }
        return object
    }

    /// `module.__version__` as `python` imports it.
    static func version(python: String, module: String) throws -> String {
        let (status, data) = try output(of: python, ["-c", "import \(module); print(\(module).__version__)"], errors: .nullDevice)
        guard status == 0 else { throw BenchError("\(python) cannot import \(module) (Benchmarks/peers/setup-venv.sh)") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `executable arguments` to its end: its exit status and standard output.
    private static func output(of executable: String, _ arguments: [String], errors: FileHandle) throws -> (Int32, Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw BenchError("cannot start \(executable): \(error)")
        }
        // Read to the end before waiting, so that a full pipe cannot block the script; then poll,
        // as Foundation's `waitUntilExit` can hang on Linux.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning { Thread.sleep(forTimeInterval: 0.01) }
        return (process.terminationStatus, data)
    }
}
