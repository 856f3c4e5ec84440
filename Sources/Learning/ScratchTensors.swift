import Engine

/// Tensors a layer reuses from step to step, one per role and shape: a training run with a
/// smaller last batch keeps two sets, and nothing is allocated per step after the first epoch.
final class ScratchTensors {
    private let backend: any Backend
    private var tensors: [String: Tensor] = [:]

    init(backend: any Backend) { self.backend = backend }

    /// The tensor for `role` with `shape`, made (zero-filled) on first use.
    func tensor(_ role: String, _ shape: [Int], elementType: ElementType = .float32) throws -> Tensor {
        let key = role + shape.map(String.init).joined(separator: "x") + elementType.rawValue
        if let tensor = tensors[key] { return tensor }
        let tensor = try backend.zeros(shape, elementType: elementType)
        tensors[key] = tensor
        return tensor
    }
}
