import Foundation

/// A peer script run once to its end (`sklearn_clustering.py`, `umap_peer.py`): its standard
/// output is one JSON object; its progress goes to this process's standard error.
enum PeerScript {
    /// Runs `python script arguments` and returns the JSON object it printed.
    /// - Throws: `BenchError` when it cannot start, fails, or prints something else.
    static func run(python: String, script: URL, _ arguments: [String]) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        do {
            try process.run()
        } catch {
            throw BenchError("cannot start \(script.lastPathComponent) with \(python): \(error)")
        }
        // Read to the end before waiting, so that a full pipe cannot block the script.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning { Thread.sleep(forTimeInterval: 0.01) }
        guard process.terminationStatus == 0 else {
            throw BenchError("\(script.lastPathComponent) failed with status \(process.terminationStatus) (its errors are above)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw BenchError("\(script.lastPathComponent) printed no JSON object")
        }
        return object
    }

    /// `module.__version__` as `python` imports it.
    static func version(python: String, module: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import \(module); print(\(module).__version__)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw BenchError("cannot start \(python): \(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning { Thread.sleep(forTimeInterval: 0.01) }
        guard process.terminationStatus == 0 else { throw BenchError("\(python) cannot import \(module) (Benchmarks/peers/setup-venv.sh)") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
