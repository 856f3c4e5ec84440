/// Why an engine operation refused to run or failed.
public enum EngineError: Error, Equatable, CustomStringConvertible {
    /// Operands whose shapes do not fit the operation.
    case shapeMismatch(operation: String, detail: String)
    /// A tensor made by another backend was passed to this one.
    case foreignTensor(operation: String)
    /// A tensor of the wrong element type (an int32 tensor where floats are computed ...).
    case elementTypeMismatch(operation: String, expected: ElementType, actual: ElementType)
    /// A parameter outside its domain (a negative learning rate, a step of 0 ...).
    case invalidArgument(operation: String, detail: String)
    /// A device could not be used as asked (no OpenCL device, index out of range, bad spec).
    case deviceUnavailable(String)
    /// The host could not allocate memory for a tensor.
    case outOfMemory(bytes: Int)

    public var description: String {
        switch self {
        case let .shapeMismatch(operation, detail): return "\(operation): shape mismatch: \(detail)"
        case let .foreignTensor(operation): return "\(operation): tensor belongs to another backend"
        case let .elementTypeMismatch(operation, expected, actual):
            return "\(operation): expected a \(expected.rawValue) tensor, got \(actual.rawValue)"
        case let .invalidArgument(operation, detail): return "\(operation): \(detail)"
        case let .deviceUnavailable(reason): return reason
        case let .outOfMemory(bytes): return "cannot allocate \(bytes) bytes of memory for a tensor"
        }
    }
}
