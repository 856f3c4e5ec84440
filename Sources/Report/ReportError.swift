/// Why a report could not be written, in one line for the command line.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    /// The folder holds no study result or sweep index.
    case nothingToReport(String)
    /// A study result or sweep index could not be read.
    case unreadable(String)
    /// A sprite sheet or the page could not be encoded.
    case encoding(String)

    public var description: String {
        switch self {
        case .nothingToReport(let detail), .unreadable(let detail), .encoding(let detail): return detail
        }
    }
}
