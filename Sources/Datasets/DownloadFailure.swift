/// Why one mirror could not supply one file.
public struct DownloadFailure: Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Sendable, Equatable {
        /// The server answered with a status other than 200.
        case httpStatus(Int)
        /// No answer: connection refused, name not resolved, reset ... (the system's words).
        case transport(String)
        /// No complete answer within the time limit, in seconds.
        case timedOut(Double)
        /// The bytes arrived but their SHA-256 is not the published one; the file was deleted.
        case checksumMismatch(expected: String, actual: String)
        /// The bytes arrived but could not be stored in the cache.
        case cannotStore(String)
    }

    /// The address that was tried.
    public let url: String
    /// Why it failed.
    public let reason: Reason

    public init(url: String, reason: Reason) {
        self.url = url
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case let .httpStatus(status): return "\(url): HTTP \(status)"
        case let .transport(message): return "\(url): \(message)"
        case let .timedOut(seconds): return "\(url): no complete answer within \(Int(seconds)) s"
        case let .checksumMismatch(expected, actual):
            return "\(url): SHA-256 mismatch (expected \(expected), got \(actual)); the partial file was deleted"
        case let .cannotStore(message): return "\(url): downloaded but not stored: \(message)"
        }
    }
}
