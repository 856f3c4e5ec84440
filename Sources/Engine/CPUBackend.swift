import CBLAS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The reference backend: OpenBLAS for GEMM, plain multi-threaded Swift loops for the rest.
///
/// It is the fallback when no OpenCL GPU is present (on a CPU it skips OpenCL's launch and copy
/// costs) and the reference that OpenCL kernels are tested against. Every operation is
/// deterministic: the same inputs give the same bits, whatever the thread count, because each
/// output value is computed by exactly one thread in a fixed order.
public final class CPUBackend: Backend {
    public let kind = BackendKind.cpu
    /// Patch matrices of the convolutions (`CPUBackend+Convolution.swift`).
    let scratch = HostScratch()
    /// Whether the loops that have an AVX-512 build (the k-nearest-neighbour scan) take it.
    public let usesAVX512Loops: Bool

    /// - Parameter avx512Loops: take the AVX-512 builds of the loops that have one; ignored
    ///   where they cannot run (`HostProcessor.canRunAVX512Loops`). Both give the same results.
    public init(avx512Loops: Bool = HostProcessor.prefersAVX512Loops) {
        usesAVX512Loops = avx512Loops && HostProcessor.canRunAVX512Loops
    }

    public var memoryBytes: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

    public var description: String {
        let threads = "\(CPUThreads.count) thread\(CPUThreads.count == 1 ? "" : "s")"
        return "CPU backend (OpenBLAS, \(threads)\(usesAVX512Loops ? ", AVX-512 loops" : ""))"
    }

    // MARK: Memory

    public func zeros(_ shape: [Int], elementType: ElementType) throws -> Tensor {
        let count = try validatedCount(shape, operation: "zeros")
        return Tensor(shape: shape, storage: try HostStorage(count: count, elementType: elementType),
                      owner: ObjectIdentifier(self), elementType: elementType)
    }

    public func upload(_ values: [Float], shape: [Int]) throws -> Tensor {
        let tensor = try zeros(shape)
        try write(values, to: tensor)
        return tensor
    }

    public func write(_ values: [Float], to tensor: Tensor) throws {
        try OperandChecks.valueCount(values.count, for: tensor)
        Self.copy(values, to: try pointer(tensor, "write"))
    }

    public func read(_ tensor: Tensor) throws -> [Float] {
        let p = try pointer(tensor, "read")
        return Array(UnsafeBufferPointer(start: p, count: tensor.count))
    }

    public func uploadIntegers(_ values: [Int32], shape: [Int]) throws -> Tensor {
        let tensor = try zeros(shape, elementType: .int32)
        try writeIntegers(values, to: tensor)
        return tensor
    }

    public func writeIntegers(_ values: [Int32], to tensor: Tensor) throws {
        try OperandChecks.valueCount(values.count, for: tensor)
        Self.copy(values, to: try integers(tensor, "write"))
    }

    /// Host values into a tensor's storage (an empty array has no base address to copy from).
    private static func copy<T>(_ values: [T], to target: UnsafeMutablePointer<T>) {
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { target.update(from: base, count: source.count) }
        }
    }

    public func readIntegers(_ tensor: Tensor) throws -> [Int32] {
        Array(UnsafeBufferPointer(start: try integers(tensor, "readIntegers"), count: tensor.count))
    }

    public func copy(_ source: Tensor, to destination: Tensor) throws {
        try OperandChecks.sameCount("copy", source, destination)
        try OperandChecks.elementType("copy", destination, source.elementType)
        if source.elementType == .int32 {
            try integers(destination, "copy").update(from: integers(source, "copy"), count: source.count)
        } else {
            try pointer(destination, "copy").update(from: pointer(source, "copy"), count: source.count)
        }
    }

    public func fill(_ tensor: Tensor, with value: Float) throws {
        try pointer(tensor, "fill").update(repeating: value, count: tensor.count)
    }

    public func synchronize() throws {}

    // MARK: Linear algebra

    public func gemm(_ a: Tensor, _ b: Tensor, into c: Tensor, transposeA: Bool, transposeB: Bool,
                     alpha: Float, beta: Float, epilogue: GEMMEpilogue) throws {
        let d = try OperandChecks.gemm(a, b, c, transposeA: transposeA, transposeB: transposeB, epilogue: epilogue)
        let pa = try pointer(a, "gemm"), pb = try pointer(b, "gemm"), pc = try pointer(c, "gemm")
        let bias = try epilogue.bias.map { try pointer($0, "gemm") }
        if d.m > 0 && d.n > 0 {
            if d.k == 0 {
                // BLAS leaves C untouched for k = 0 only when beta = 1; state the math explicitly.
                scaleInPlace(pc, count: d.m * d.n, by: beta)
            } else {
                BLASThreads.choose(m: d.m, n: d.n, k: d.k)
                cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                            Int32(d.m), Int32(d.n), Int32(d.k), alpha,
                            pa, Int32(a.shape[1]), pb, Int32(b.shape[1]), beta, pc, Int32(d.n))
            }
        }
        if bias != nil || epilogue.activation == .relu {
            applyEpilogue(pc, rows: d.m, columns: d.n, bias: bias, relu: epilogue.activation == .relu)
        }
        if let function = epilogue.unfusedActivation { try activate(function, c, into: c) }
    }

    public func addBias(_ bias: Tensor, to x: Tensor) throws {
        try OperandChecks.perColumn("addBias", vector: bias, matrix: x)
        applyEpilogue(try pointer(x, "addBias"), rows: x.rows, columns: x.columns,
                      bias: try pointer(bias, "addBias"), relu: false)
    }

    public func columnSums(_ x: Tensor, into y: Tensor, beta: Float) throws {
        try OperandChecks.perColumn("columnSums", vector: y, matrix: x)
        let px = SharedPointer(try pointer(x, "columnSums")), py = try pointer(y, "columnSums")
        let rows = x.rows, columns = x.columns
        // Rows in order within fixed chunks, chunks summed in order: reading a tall matrix one
        // column at a time strides through all of it per column (the 86528 x 32 bias gradient of
        // the cnn model's first layer took 11% of its epoch that way).
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: max(columns, 1))
        defer { sums.deallocate() }
        chunkedSums(rows, chunk: max(1, 32_768 / max(columns, 1)), width: columns, into: sums) { range, partial in
            for row in range {
                let values = px.base + row * columns
                for column in 0..<columns { partial[column] += values[column] }
            }
        }
        for column in 0..<columns { py[column] = beta == 0 ? sums[column] : beta * py[column] + sums[column] }
    }

    public func axpby(alpha: Float, _ x: Tensor, beta: Float, _ y: Tensor) throws {
        try OperandChecks.sameCount("axpby", x, y)
        let px = SharedPointer(try pointer(x, "axpby")), py = SharedPointer(try pointer(y, "axpby"))
        parallelChunks(x.count) { range in
            for i in range { py[i] = alpha * px[i] + beta * py[i] }
        }
    }

    public func scale(_ x: Tensor, by factor: Float, into y: Tensor) throws {
        try OperandChecks.sameCount("scale", x, y)
        let px = SharedPointer(try pointer(x, "scale")), py = SharedPointer(try pointer(y, "scale"))
        parallelChunks(x.count) { range in
            for i in range { py[i] = factor * px[i] }
        }
    }

    // MARK: Activations

    public func activate(_ function: ActivationFunction, _ x: Tensor, into y: Tensor) throws {
        try OperandChecks.sameCount(function.rawValue, x, y)
        let px = SharedPointer(try pointer(x, function.rawValue)), py = SharedPointer(try pointer(y, function.rawValue))
        parallelChunks(x.count) { range in
            switch function {
            case .relu: for i in range { py[i] = max(px[i], 0) }
            case .tanh: for i in range { py[i] = tanhf(px[i]) }
            case .sigmoid: for i in range { py[i] = 1 / (1 + expf(-px[i])) }
            }
        }
    }

    public func activationBackward(_ function: ActivationFunction, outputGradient: Tensor, output: Tensor,
                                   into inputGradient: Tensor) throws {
        let operation = function.rawValue + "Backward"
        try OperandChecks.sameCount(operation, outputGradient, output, inputGradient)
        let pg = SharedPointer(try pointer(outputGradient, operation))
        let py = SharedPointer(try pointer(output, operation))
        let pd = SharedPointer(try pointer(inputGradient, operation))
        parallelChunks(output.count) { range in
            switch function {
            case .relu: for i in range { pd[i] = py[i] > 0 ? pg[i] : 0 }
            case .tanh: for i in range { pd[i] = pg[i] * (1 - py[i] * py[i]) }
            case .sigmoid: for i in range { pd[i] = pg[i] * py[i] * (1 - py[i]) }
            }
        }
    }

    public func softmax(_ x: Tensor, into y: Tensor) throws {
        let (rows, columns) = try OperandChecks.sameMatrix("softmax", x, y)
        let px = SharedPointer(try pointer(x, "softmax")), py = SharedPointer(try pointer(y, "softmax"))
        parallelChunks(rows, minimumChunk: max(1, 16_384 / max(columns, 1))) { range in
            for row in range {
                RowMath.softmax(px.base + row * columns, py.base + row * columns, columns)
            }
        }
    }

    public func softmaxBackward(probabilities: Tensor, probabilityGradient: Tensor, into logitGradient: Tensor) throws {
        let (rows, columns) = try OperandChecks.sameMatrix("softmaxBackward", probabilities, probabilityGradient, logitGradient)
        let pp = SharedPointer(try pointer(probabilities, "softmaxBackward"))
        let pg = SharedPointer(try pointer(probabilityGradient, "softmaxBackward"))
        let pd = SharedPointer(try pointer(logitGradient, "softmaxBackward"))
        parallelChunks(rows, minimumChunk: max(1, 16_384 / max(columns, 1))) { range in
            for row in range {
                let o = row * columns
                RowMath.softmaxBackward(pp.base + o, pg.base + o, pd.base + o, columns)
            }
        }
    }

    // MARK: Losses

    public func argmaxMatches(predictions: Tensor, targets: Tensor, into matches: Tensor) throws {
        let (rows, columns) = try OperandChecks.sameMatrix("argmaxMatches", predictions, targets)
        try OperandChecks.perRow("argmaxMatches", vector: matches, matrix: predictions)
        let pp = SharedPointer(try pointer(predictions, "argmaxMatches")), pt = SharedPointer(try pointer(targets, "argmaxMatches"))
        let pm = SharedPointer(try pointer(matches, "argmaxMatches"))
        parallelChunks(rows, minimumChunk: max(1, 16_384 / max(columns, 1))) { range in
            for row in range {
                let o = row * columns
                pm[row] = RowMath.argmax(pp.base + o, columns) == RowMath.argmax(pt.base + o, columns) ? 1 : 0
            }
        }
    }

    public func loss(_ loss: Loss, predictions: Tensor, targets: Tensor, perSampleLoss: Tensor) throws {
        let (rows, columns) = try OperandChecks.sameMatrix("loss", predictions, targets)
        try OperandChecks.perRow("loss", vector: perSampleLoss, matrix: predictions)
        let pp = SharedPointer(try pointer(predictions, "loss")), pt = SharedPointer(try pointer(targets, "loss"))
        let pl = SharedPointer(try pointer(perSampleLoss, "loss"))
        parallelChunks(rows, minimumChunk: max(1, 16_384 / max(columns, 1))) { range in
            for row in range {
                let o = row * columns
                pl[row] = RowMath.loss(loss, pp.base + o, pt.base + o, columns)
            }
        }
    }

    public func lossGradient(_ loss: Loss, predictions: Tensor, targets: Tensor,
                             withRespectTo target: LossGradientTarget, into gradient: Tensor) throws {
        let (rows, columns) = try OperandChecks.sameMatrix("lossGradient", predictions, targets, gradient)
        let pp = SharedPointer(try pointer(predictions, "lossGradient")), pt = SharedPointer(try pointer(targets, "lossGradient"))
        let pg = SharedPointer(try pointer(gradient, "lossGradient"))
        let batchScale = 1 / Float(max(rows, 1))
        parallelChunks(rows, minimumChunk: max(1, 16_384 / max(columns, 1))) { range in
            for row in range {
                let o = row * columns
                RowMath.lossGradient(loss, target, pp.base + o, pt.base + o, pg.base + o, columns, batchScale)
            }
        }
    }

    // MARK: Signatures

    public func channelMeans(_ x: Tensor, into y: Tensor) throws {
        let (batch, positions, channels) = try OperandChecks.channelMeans(x, y)
        let px = SharedPointer(try pointer(x, "channelMeans")), py = SharedPointer(try pointer(y, "channelMeans"))
        let scale = 1 / Float(max(positions, 1))
        parallelChunks(batch, minimumChunk: max(1, 65_536 / max(positions * channels, 1))) { range in
            for n in range {
                for c in 0..<channels {
                    var sum: Float = 0
                    for p in 0..<positions { sum += px[(n * positions + p) * channels + c] }
                    py[n * channels + c] = sum * scale
                }
            }
        }
    }

    // MARK: Optimizers

    public func sgdStep(parameters: Tensor, gradients: Tensor, velocity: Tensor, hyperparameters h: SGDHyperparameters) throws {
        try OperandChecks.sameCount("sgd", parameters, gradients, velocity)
        try OperandChecks.sgd(h)
        let w = SharedPointer(try pointer(parameters, "sgd")), g = SharedPointer(try pointer(gradients, "sgd"))
        let v = SharedPointer(try pointer(velocity, "sgd"))
        let lr = h.learningRate, momentum = h.momentum, nesterov = h.nesterov
        parallelChunks(parameters.count) { range in
            for i in range {
                let velocity = momentum * v[i] - lr * g[i]
                v[i] = velocity
                w[i] += nesterov ? momentum * velocity - lr * g[i] : velocity
            }
        }
    }

    public func adamStep(parameters: Tensor, gradients: Tensor, firstMoment: Tensor, secondMoment: Tensor,
                         hyperparameters h: AdamHyperparameters, step: Int) throws {
        try OperandChecks.sameCount("adam", parameters, gradients, firstMoment, secondMoment)
        try OperandChecks.adamStep(step, h)
        let w = SharedPointer(try pointer(parameters, "adam")), g = SharedPointer(try pointer(gradients, "adam"))
        let m = SharedPointer(try pointer(firstMoment, "adam")), v = SharedPointer(try pointer(secondMoment, "adam"))
        let alpha = h.correctedLearningRate(step: step)
        let beta1 = h.beta1, beta2 = h.beta2, epsilon = h.epsilon
        parallelChunks(parameters.count) { range in
            for i in range {
                let gi = g[i]
                // Keras: m += (g - m) * (1 - beta1); v += (g^2 - v) * (1 - beta2).
                let mi = m[i] + (gi - m[i]) * (1 - beta1)
                let vi = v[i] + (gi * gi - v[i]) * (1 - beta2)
                m[i] = mi
                v[i] = vi
                w[i] -= alpha * mi / (vi.squareRoot() + epsilon)
            }
        }
    }

    // MARK: Helpers

    /// The float values behind `tensor`, after checking that this backend owns it and that it
    /// holds floats.
    func pointer(_ tensor: Tensor, _ operation: String) throws -> UnsafeMutablePointer<Float> {
        try storage(tensor, operation, .float32).pointer
    }

    /// The int32 values behind `tensor`, after the same checks.
    func integers(_ tensor: Tensor, _ operation: String) throws -> UnsafeMutablePointer<Int32> {
        try storage(tensor, operation, .int32).integers
    }

    private func storage(_ tensor: Tensor, _ operation: String, _ type: ElementType) throws -> HostStorage {
        guard tensor.owner == ObjectIdentifier(self), let storage = tensor.storage as? HostStorage else {
            throw EngineError.foreignTensor(operation: operation)
        }
        try OperandChecks.elementType(operation, tensor, type)
        return storage
    }

    private func scaleInPlace(_ p: UnsafeMutablePointer<Float>, count: Int, by factor: Float) {
        let shared = SharedPointer(p)
        parallelChunks(count) { range in
            for i in range { shared[i] = factor == 0 ? 0 : factor * shared[i] }
        }
    }

    private func applyEpilogue(_ p: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                               bias: UnsafeMutablePointer<Float>?, relu: Bool) {
        let pc = SharedPointer(p)
        let pb = bias.map(SharedPointer.init)
        parallelChunks(rows, minimumChunk: max(1, 16_384 / max(columns, 1))) { range in
            for row in range {
                let o = row * columns
                for column in 0..<columns {
                    var value = pc[o + column]
                    if let pb { value += pb[column] }
                    if relu { value = max(value, 0) }
                    pc[o + column] = value
                }
            }
        }
    }
}
