import ArgumentParser

/// A failure the CLI reports as one line on standard error, exiting with status 1.
struct CLIFailure: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
