/// Why a signature analysis (standardization, clustering, silhouette, metrics, the study) refused to run.
public enum SignaturesError: Error, Equatable, CustomStringConvertible {
    /// Inputs whose sizes do not fit together (labels and points of different lengths ...).
    case sizeMismatch(String)
    /// A parameter outside its domain (k below 1, a sample size of 0 ...).
    case invalidArgument(String)
    /// Data that cannot give the asked result (fewer distinct points than clusters ...).
    case insufficientData(String)
    /// A result file that could not be written: its path and why.
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .sizeMismatch(detail): return "sizes do not fit: \(detail)"
        case let .invalidArgument(detail): return detail
        case let .insufficientData(detail): return detail
        case let .cannotWrite(path, reason): return "cannot write \(path): \(reason)"
        }
    }
}
