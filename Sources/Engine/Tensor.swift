/// A shape plus storage owned by one backend: float32 values, or int32 ones (cluster labels).
///
/// Tensors are row-major. Operations read a tensor of rank >= 2 as a matrix whose columns are
/// the last dimension and whose rows are everything before it; a rank-1 tensor of n values is a
/// 1 x n row. Data moves between host and device only through `Backend.upload` / `read`, never
/// implicitly. A tensor belongs to the backend that made it; handing it to another backend is
/// an error (`EngineError.foreignTensor`).
public final class Tensor {
    /// The dimensions, outermost first.
    public let shape: [Int]
    /// The number of values (the product of `shape`).
    public let count: Int
    /// What each value is. Operations take float32 tensors unless they say otherwise.
    public let elementType: ElementType
    /// The backend-specific storage; shared by reshaped views.
    let storage: AnyObject
    /// The backend that owns the storage.
    let owner: ObjectIdentifier

    init(shape: [Int], storage: AnyObject, owner: ObjectIdentifier, elementType: ElementType = .float32) {
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.elementType = elementType
        self.storage = storage
        self.owner = owner
    }

    /// Rows when read as a matrix: the product of all dimensions but the last (1 for rank 0 or 1).
    public var rows: Int { shape.count <= 1 ? 1 : shape.dropLast().reduce(1, *) }
    /// Columns when read as a matrix: the last dimension (1 for rank 0).
    public var columns: Int { shape.last ?? 1 }

    /// The same storage seen with another shape of the same element count.
    /// - Throws: `EngineError.shapeMismatch` if the counts differ.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        guard newShape.allSatisfy({ $0 >= 0 }), newShape.reduce(1, *) == count else {
            throw EngineError.shapeMismatch(operation: "reshape", detail: "\(shape) has \(count) values, \(newShape) needs \(newShape.reduce(1, *))")
        }
        return Tensor(shape: newShape, storage: storage, owner: owner, elementType: elementType)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String { elementType == .float32 ? "Tensor\(shape)" : "Tensor<\(elementType)>\(shape)" }
}

/// The most values one tensor may hold: 2^31 - 1 (8 GiB of float32). Kernels index tensors with
/// 32-bit `int`, so this bound keeps every offset in range on every backend.
public let maximumTensorCount = Int(Int32.max)

/// The number of values of `shape`: nil when a dimension is negative, or the product overflows
/// or exceeds `maximumTensorCount`. Use it before multiplying sizes that come from users or files.
public func checkedElementCount(_ shape: [Int]) -> Int? {
    var count = 1
    for dimension in shape {
        guard dimension >= 0 else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
        guard !overflow, product <= maximumTensorCount else { return nil }
        count = product
    }
    return count
}

/// Checks that every dimension is a count and the tensor fits, and returns the element count.
func validatedCount(_ shape: [Int], operation: String) throws -> Int {
    guard let count = checkedElementCount(shape) else {
        throw EngineError.shapeMismatch(
            operation: operation,
            detail: "\(shape) has a negative dimension or more than \(maximumTensorCount) values (the most a tensor holds)")
    }
    return count
}
