/// Shape checks shared by every backend, so that both reject the same operands the same way.
enum OperandChecks {
    /// The dimensions of a GEMM once its operands are checked.
    struct GEMMDimensions: Equatable {
        var m: Int, n: Int, k: Int
    }

    static func gemm(_ a: Tensor, _ b: Tensor, _ c: Tensor, transposeA: Bool, transposeB: Bool,
                     epilogue: GEMMEpilogue) throws -> GEMMDimensions {
        for t in [a, b, c] where t.shape.count != 2 {
            throw EngineError.shapeMismatch(operation: "gemm", detail: "operands must be matrices, got \(t.shape)")
        }
        let m = transposeA ? a.shape[1] : a.shape[0]
        let k = transposeA ? a.shape[0] : a.shape[1]
        let kb = transposeB ? b.shape[1] : b.shape[0]
        let n = transposeB ? b.shape[0] : b.shape[1]
        guard k == kb, c.shape == [m, n] else {
            throw EngineError.shapeMismatch(
                operation: "gemm",
                detail: "op(a) is \(m)x\(k), op(b) is \(kb)x\(n), c is \(c.shape[0])x\(c.shape[1])")
        }
        if let bias = epilogue.bias, bias.count != n {
            throw EngineError.shapeMismatch(operation: "gemm", detail: "bias has \(bias.count) values for \(n) columns")
        }
        return GEMMDimensions(m: m, n: n, k: k)
    }

    /// `values` host values fill `tensor` exactly (a write).
    static func valueCount(_ values: Int, for tensor: Tensor) throws {
        guard values == tensor.count else {
            throw EngineError.shapeMismatch(operation: "write", detail: "\(values) values for \(tensor.shape)")
        }
    }

    /// Every tensor has the same number of values.
    static func sameCount(_ operation: String, _ tensors: Tensor...) throws {
        guard let first = tensors.first else { return }
        for t in tensors where t.count != first.count {
            throw EngineError.shapeMismatch(operation: operation, detail: "\(first.shape) vs \(t.shape)")
        }
    }

    /// Every tensor is read as a matrix of the same rows and columns; returns them.
    static func sameMatrix(_ operation: String, _ tensors: Tensor...) throws -> (rows: Int, columns: Int) {
        let first = tensors[0]
        for t in tensors where t.rows != first.rows || t.columns != first.columns {
            throw EngineError.shapeMismatch(operation: operation, detail: "\(first.shape) vs \(t.shape)")
        }
        return (first.rows, first.columns)
    }

    /// `vector` holds one value per column of `matrix`.
    static func perColumn(_ operation: String, vector: Tensor, matrix: Tensor) throws {
        guard vector.count == matrix.columns else {
            throw EngineError.shapeMismatch(operation: operation, detail: "\(vector.count) values for \(matrix.columns) columns of \(matrix.shape)")
        }
    }

    /// `vector` holds one value per row of `matrix`.
    static func perRow(_ operation: String, vector: Tensor, matrix: Tensor) throws {
        guard vector.count == matrix.rows else {
            throw EngineError.shapeMismatch(operation: operation, detail: "\(vector.count) values for \(matrix.rows) rows of \(matrix.shape)")
        }
    }

    /// `x` is `[N, ..., C]` (rank >= 2) and `y` is `[N, C]`; returns (N, positions, C).
    static func channelMeans(_ x: Tensor, _ y: Tensor) throws -> (batch: Int, positions: Int, channels: Int) {
        guard x.shape.count >= 2, let batch = x.shape.first, let channels = x.shape.last, y.shape == [batch, channels] else {
            throw EngineError.shapeMismatch(operation: "channelMeans", detail: "\(x.shape) cannot reduce into \(y.shape)")
        }
        return (batch, x.shape.dropFirst().dropLast().reduce(1, *), channels)
    }

    static func adamStep(_ step: Int, _ h: AdamHyperparameters) throws {
        guard step >= 1 else { throw EngineError.invalidArgument(operation: "adam", detail: "step must start at 1, got \(step)") }
        guard h.learningRate >= 0, (0..<1).contains(h.beta1), (0..<1).contains(h.beta2), h.epsilon >= 0 else {
            throw EngineError.invalidArgument(operation: "adam", detail: "hyperparameters out of range: \(h)")
        }
    }

    static func sgd(_ h: SGDHyperparameters) throws {
        guard h.learningRate >= 0, h.momentum >= 0 else {
            throw EngineError.invalidArgument(operation: "sgd", detail: "learning rate and momentum must be >= 0: \(h)")
        }
    }
}
