/// A shape plus float32 storage owned by one backend.
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
    /// The backend-specific storage; shared by reshaped views.
    let storage: AnyObject
    /// The backend that owns the storage.
    let owner: ObjectIdentifier

    init(shape: [Int], storage: AnyObject, owner: ObjectIdentifier) {
        self.shape = shape
        self.count = shape.reduce(1, *)
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
        return Tensor(shape: newShape, storage: storage, owner: owner)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String { "Tensor\(shape)" }
}

/// Checks that every dimension is a count (non-negative) and returns the element count.
func validatedCount(_ shape: [Int], operation: String) throws -> Int {
    guard shape.allSatisfy({ $0 >= 0 }) else {
        throw EngineError.shapeMismatch(operation: operation, detail: "negative dimension in \(shape)")
    }
    return shape.reduce(1, *)
}
