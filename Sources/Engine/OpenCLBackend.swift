import Kernels
import OpenCL

/// The OpenCL backend: every operation is a kernel from `Kernels/`, run on one device's queue.
///
/// Tensors stay on the device; only `read` copies back. Launches are asynchronous and ordered by
/// the in-order queue, so a sequence of operations runs without host round trips.
public final class OpenCLBackend: Backend {
    public let kind = BackendKind.opencl
    public let device: Device
    public var memoryBytes: Int { device.globalMemoryBytes }
    public let context: Context
    public let queue: CommandQueue
    let library: KernelLibrary
    let matrixMultiply: OpenCLGEMM
    /// Patch matrices of the convolutions (`OpenCLBackend+Convolution.swift`).
    let scratch: DeviceScratch
    /// The per-chunk partial sums of a tall `columnSums`: a small block of its own (338 x 32
    /// values for the cnn model's first bias gradient), so that neither user of a scratch block
    /// has to reason about the other's.
    let partialSums: DeviceScratch
    /// Gram values, norms and memberships of the distance operations (`OpenCLBackend+Distances.swift`).
    let distanceScratch: DistanceScratch
    /// Which `kNearest` kernel runs: by device type unless set (tests run both on one device).
    public var neighborKernel: NeighborKernel
    /// Which kernel gathers convolution patches: the tuning's (by device type untuned), unless
    /// set (tests run both on one device; the tuner times both).
    public var im2colKernel: Im2colKernel
    /// How the softmax kernels take a row: the tuning's, unless set, as `im2colKernel`.
    public var rowKernel: RowKernel
    /// Work-items per group along x for the per-pixel kernels: the tuning's, unless the tuner
    /// is timing another.
    var pixelGroupWidth: Int
    /// Work-group size for one-item-per-value kernels: a multiple of every GPU's warp/wavefront,
    /// and large enough for PoCL to vectorise across work-items.
    let groupSize: Int

    /// A backend on `device`.
    /// - Parameters:
    ///   - gemm: forces this GEMM variant, with its standard parameters, over any tuning.
    ///   - tuning: the kernel parameters; nil takes the device's stored tuning, else the
    ///     defaults for its type (`TuningStore.tuningInUse`).
    ///   - cache: where compiled programs are kept between runs; nil disables the disk cache.
    ///   - profiling: make the queue record timestamps (for benchmarks).
    public init(device: Device, gemm: GEMMVariant? = nil, tuning: KernelTuning? = nil,
                cache: ProgramCache? = .standard(), profiling: Bool = false) throws {
        self.device = device
        context = try Context(device: device)
        queue = try CommandQueue(context: context, profiling: profiling)
        library = KernelLibrary(context: context, cache: cache)
        groupSize = min(64, device.maxWorkGroupSize)
        scratch = DeviceScratch(context: context)
        partialSums = DeviceScratch(context: context)
        distanceScratch = DistanceScratch(context: context)
        neighborKernel = .preferred(for: device)
        let parameters = try gemm.map { KernelTuning.defaults(for: device, variant: $0) }
            ?? tuning ?? TuningStore.tuningInUse(for: device)
        matrixMultiply = OpenCLGEMM(tuning: parameters, library: library, queue: queue)
        pixelGroupWidth = parameters.pixelGroupWidth
        im2colKernel = parameters.im2colKernelInUse
        rowKernel = parameters.rowKernelInUse
    }

    public var description: String {
        "OpenCL backend on \(device.name) (\(device.kind.rawValue), \(device.platformName)), \(tuning.brief)"
    }

    /// The GEMM variant of the untuned choice (a tuning may choose others per shape).
    public var gemmVariant: GEMMVariant { matrixMultiply.variant }

    /// The kernel parameters in use.
    public var tuning: KernelTuning { matrixMultiply.tuning }

    /// Builds every program now rather than at first use, so timings exclude compilation.
    public func warmUp() throws {
        for source in KernelSource.allCases where source != .gemm { _ = try library.program(source) }
        try matrixMultiply.warmUp()
    }

    // MARK: Memory

    public func zeros(_ shape: [Int], elementType: ElementType) throws -> Tensor {
        let tensor = try uninitialized(shape, "zeros", elementType: elementType)
        switch elementType {
        case .float32: try queue.fill(buffer(tensor, "zeros"), with: Float(0), count: tensor.count)
        case .int32: try queue.fill(integers(tensor, "zeros"), with: Int32(0), count: tensor.count)
        }
        return tensor
    }

    public func upload(_ values: [Float], shape: [Int]) throws -> Tensor {
        let tensor = try uninitialized(shape, "upload")
        try write(values, to: tensor)
        return tensor
    }

    public func write(_ values: [Float], to tensor: Tensor) throws {
        try OperandChecks.valueCount(values.count, for: tensor)
        let target = try buffer(tensor, "write")
        try values.withUnsafeBufferPointer { try queue.write($0, to: target) }
    }

    public func read(_ tensor: Tensor) throws -> [Float] {
        try fetch(buffer(tensor, "read"), count: tensor.count)
    }

    public func uploadIntegers(_ values: [Int32], shape: [Int]) throws -> Tensor {
        let tensor = try uninitialized(shape, "upload", elementType: .int32)
        try writeIntegers(values, to: tensor)
        return tensor
    }

    public func writeIntegers(_ values: [Int32], to tensor: Tensor) throws {
        try OperandChecks.valueCount(values.count, for: tensor)
        let target = try integers(tensor, "write")
        try values.withUnsafeBufferPointer { try queue.write($0, to: target) }
    }

    public func readIntegers(_ tensor: Tensor) throws -> [Int32] {
        try fetch(integers(tensor, "readIntegers"), count: tensor.count)
    }

    /// The first `count` values of a buffer, copied to the host (waits for pending work).
    private func fetch<T>(_ source: Buffer<T>, count: Int) throws -> [T] {
        try [T](unsafeUninitializedCapacity: count) { values, initialized in
            try queue.read(source, into: UnsafeMutableBufferPointer(rebasing: values[0..<count]))
            initialized = count
        }
    }

    public func copy(_ source: Tensor, to destination: Tensor) throws {
        try OperandChecks.sameCount("copy", source, destination)
        try OperandChecks.elementType("copy", destination, source.elementType)
        if source.elementType == .int32 {
            try queue.copy(from: integers(source, "copy"), to: integers(destination, "copy"), count: source.count)
        } else {
            try queue.copy(from: buffer(source, "copy"), to: buffer(destination, "copy"), count: source.count)
        }
    }

    public func fill(_ tensor: Tensor, with value: Float) throws {
        try queue.fill(buffer(tensor, "fill"), with: value, count: tensor.count)
    }

    public func synchronize() throws { try queue.finish() }

    // MARK: Linear algebra

    public func gemm(_ a: Tensor, _ b: Tensor, into c: Tensor, transposeA: Bool, transposeB: Bool,
                     alpha: Float, beta: Float, epilogue: GEMMEpilogue) throws {
        try gemm(a, b, into: c, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta,
                 epilogue: epilogue, choice: nil)
    }

    /// `gemm`, run with `choice` instead of the tuning's choice when one is given (the tuner).
    func gemm(_ a: Tensor, _ b: Tensor, into c: Tensor, transposeA: Bool, transposeB: Bool,
              alpha: Float, beta: Float, epilogue: GEMMEpilogue, choice: GEMMChoice?) throws {
        let d = try OperandChecks.gemm(a, b, c, transposeA: transposeA, transposeB: transposeB, epilogue: epilogue)
        let problem = GEMMProblem(
            a: try buffer(a, "gemm"), b: try buffer(b, "gemm"), c: try buffer(c, "gemm"),
            bias: try epilogue.bias.map { try buffer($0, "gemm") },
            m: d.m, n: d.n, k: d.k, lda: a.shape[1], ldb: b.shape[1],
            transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta,
            relu: epilogue.activation == .relu)
        if let choice {
            try matrixMultiply.run(problem, with: choice)
        } else {
            try matrixMultiply.run(problem)
        }
        if let function = epilogue.unfusedActivation { try activate(function, c, into: c) }
    }

    public func addBias(_ bias: Tensor, to x: Tensor) throws {
        try OperandChecks.perColumn("addBias", vector: bias, matrix: x)
        try launch("bias_activation", in: .elementwise, count: x.count,
                   [.buffer(buffer(x, "addBias")), .buffer(buffer(bias, "addBias")),
                    .int(x.rows), .int(x.columns), .bool(true), .bool(false)])
    }

    /// Rows per chunk of a two-stage `columnSums`. Fixed rather than fitted to the device, so
    /// that the sum, rounding included, is the same on every device.
    static let columnSumChunk = 256

    /// One work-item per column looping over every row leaves a GPU idle on a tall matrix (the
    /// cnn model's first bias gradient is 32 columns of 86528 rows), so tall matrices are summed
    /// in two stages: per (chunk of rows, column) into `partialSums`, then per column over the
    /// chunks in order.
    public func columnSums(_ x: Tensor, into y: Tensor, beta: Float) throws {
        try OperandChecks.perColumn("columnSums", vector: y, matrix: x)
        let rows = x.rows, columns = x.columns, chunk = Self.columnSumChunk
        guard rows > chunk else {
            try sumColumns(buffer(x, "columnSums"), rows: rows, columns: columns, into: y, beta: beta)
            return
        }
        let chunks = (rows - 1) / chunk + 1
        let partial = try buffer(partialSums.matrix(rows: chunks, columns: columns, owner: ObjectIdentifier(self)),
                                 "columnSums")
        try launch("column_sums_partial", in: .elementwise, count: chunks * columns,
                   [.buffer(buffer(x, "columnSums")), .buffer(partial),
                    .int(rows), .int(columns), .int(chunk), .int(chunks)])
        try sumColumns(partial, rows: chunks, columns: columns, into: y, beta: beta)
    }

    /// `y = beta * y +` the column sums of the `rows x columns` matrix in `source`: one work-item
    /// per column, rows in order.
    private func sumColumns(_ source: Buffer<Float>, rows: Int, columns: Int, into y: Tensor, beta: Float) throws {
        try launch("column_sums", in: .elementwise, count: columns,
                   [.buffer(source), .buffer(buffer(y, "columnSums")), .int(rows), .int(columns), .float(beta)])
    }

    public func axpby(alpha: Float, _ x: Tensor, beta: Float, _ y: Tensor) throws {
        try OperandChecks.sameCount("axpby", x, y)
        try launch("axpby", in: .elementwise, count: x.count,
                   [.buffer(buffer(x, "axpby")), .buffer(buffer(y, "axpby")), .int(x.count), .float(alpha), .float(beta)])
    }

    public func scale(_ x: Tensor, by factor: Float, into y: Tensor) throws {
        try OperandChecks.sameCount("scale", x, y)
        try launch("scale", in: .elementwise, count: x.count,
                   [.buffer(buffer(x, "scale")), .buffer(buffer(y, "scale")), .int(x.count), .float(factor)])
    }

    // MARK: Activations

    public func activate(_ function: ActivationFunction, _ x: Tensor, into y: Tensor) throws {
        let operation = function.rawValue
        try OperandChecks.sameCount(operation, x, y)
        try launch(operation + "_forward", in: .elementwise, count: x.count,
                   [.buffer(buffer(x, operation)), .buffer(buffer(y, operation)), .int(x.count)])
    }

    public func activationBackward(_ function: ActivationFunction, outputGradient: Tensor, output: Tensor,
                                   into inputGradient: Tensor) throws {
        let operation = function.rawValue + "Backward"
        try OperandChecks.sameCount(operation, outputGradient, output, inputGradient)
        try launch(function.rawValue + "_backward", in: .elementwise, count: output.count,
                   [.buffer(buffer(outputGradient, operation)), .buffer(buffer(output, operation)),
                    .buffer(buffer(inputGradient, operation)), .int(output.count)])
    }

    public func softmax(_ x: Tensor, into y: Tensor) throws {
        let (rows, columns) = try OperandChecks.sameMatrix("softmax", x, y)
        try launchRows("softmax_rows", rows: rows, columns: columns,
                       [.buffer(buffer(x, "softmax")), .buffer(buffer(y, "softmax")), .int(rows), .int(columns)])
    }

    public func softmaxBackward(probabilities: Tensor, probabilityGradient: Tensor, into logitGradient: Tensor) throws {
        let (rows, columns) = try OperandChecks.sameMatrix("softmaxBackward", probabilities, probabilityGradient, logitGradient)
        try launchRows("softmax_backward", rows: rows, columns: columns,
                       [.buffer(buffer(probabilities, "softmaxBackward")), .buffer(buffer(probabilityGradient, "softmaxBackward")),
                        .buffer(buffer(logitGradient, "softmaxBackward")), .int(rows), .int(columns)])
    }

    /// A row kernel of `elementwise.cl`: one work-item per row, or with `rowKernel` `.workGroup`
    /// and rows of at least `RowKernel.groupWidth` columns, its `_grouped` form, a work-group
    /// of that many work-items per row.
    private func launchRows(_ name: String, rows: Int, columns: Int, _ arguments: [KernelArgument]) throws {
        let width = RowKernel.groupWidth
        guard rowKernel == .workGroup, columns >= width, device.maxWorkGroupSize >= width, rows > 0 else {
            try launch(name, in: .elementwise, count: rows, arguments)
            return
        }
        let kernel = try library.kernel(name + "_grouped", in: .elementwise)
        try kernel.setArguments(arguments)
        try queue.enqueue(kernel, globalSize: [rows * width], localSize: [width])
    }

    // MARK: Losses

    public func argmaxMatches(predictions: Tensor, targets: Tensor, into matches: Tensor) throws {
        let (rows, columns) = try OperandChecks.sameMatrix("argmaxMatches", predictions, targets)
        try OperandChecks.perRow("argmaxMatches", vector: matches, matrix: predictions)
        try launch("argmax_matches", in: .loss, count: rows,
                   [.buffer(buffer(predictions, "argmaxMatches")), .buffer(buffer(targets, "argmaxMatches")),
                    .buffer(buffer(matches, "argmaxMatches")), .int(rows), .int(columns)])
    }

    public func loss(_ loss: Loss, predictions: Tensor, targets: Tensor, perSampleLoss: Tensor) throws {
        let (rows, columns) = try OperandChecks.sameMatrix("loss", predictions, targets)
        try OperandChecks.perRow("loss", vector: perSampleLoss, matrix: predictions)
        let name = loss == .categoricalCrossEntropy ? "cross_entropy_loss" : "mse_loss"
        try launch(name, in: .loss, count: rows,
                   [.buffer(buffer(predictions, "loss")), .buffer(buffer(targets, "loss")),
                    .buffer(buffer(perSampleLoss, "loss")), .int(rows), .int(columns)])
    }

    public func lossGradient(_ loss: Loss, predictions: Tensor, targets: Tensor,
                             withRespectTo target: LossGradientTarget, into gradient: Tensor) throws {
        let (rows, columns) = try OperandChecks.sameMatrix("lossGradient", predictions, targets, gradient)
        // Row kernels fuse a per-row reduction; the others are one item per value.
        let (name, count): (String, Int) = switch (loss, target) {
        case (.categoricalCrossEntropy, .logits): ("cross_entropy_grad_logits", rows)
        case (.categoricalCrossEntropy, .predictions): ("cross_entropy_grad_predictions", rows * columns)
        case (.meanSquaredError, .logits): ("mse_grad_logits", rows)
        case (.meanSquaredError, .predictions): ("mse_grad_predictions", rows * columns)
        }
        try launch(name, in: .loss, count: count,
                   [.buffer(buffer(predictions, "lossGradient")), .buffer(buffer(targets, "lossGradient")),
                    .buffer(buffer(gradient, "lossGradient")), .int(rows), .int(columns),
                    .float(1 / Float(max(rows, 1)))])
    }

    // MARK: Signatures

    public func channelMeans(_ x: Tensor, into y: Tensor) throws {
        let (batch, positions, channels) = try OperandChecks.channelMeans(x, y)
        try launch("channel_means", in: .elementwise, count: batch * channels,
                   [.buffer(buffer(x, "channelMeans")), .buffer(buffer(y, "channelMeans")),
                    .int(batch), .int(positions), .int(channels)])
    }

    // MARK: Optimizers

    public func sgdStep(parameters: Tensor, gradients: Tensor, velocity: Tensor, hyperparameters h: SGDHyperparameters) throws {
        try OperandChecks.sameCount("sgd", parameters, gradients, velocity)
        try OperandChecks.sgd(h)
        try launch("sgd_step", in: .optimizer, count: parameters.count,
                   [.buffer(buffer(parameters, "sgd")), .buffer(buffer(gradients, "sgd")), .buffer(buffer(velocity, "sgd")),
                    .int(parameters.count), .float(h.learningRate), .float(h.momentum), .bool(h.nesterov)])
    }

    public func adamStep(parameters: Tensor, gradients: Tensor, firstMoment: Tensor, secondMoment: Tensor,
                         hyperparameters h: AdamHyperparameters, step: Int) throws {
        try OperandChecks.sameCount("adam", parameters, gradients, firstMoment, secondMoment)
        try OperandChecks.adamStep(step, h)
        try launch("adam_step", in: .optimizer, count: parameters.count,
                   [.buffer(buffer(parameters, "adam")), .buffer(buffer(gradients, "adam")),
                    .buffer(buffer(firstMoment, "adam")), .buffer(buffer(secondMoment, "adam")),
                    .int(parameters.count), .float(h.correctedLearningRate(step: step)),
                    .float(h.beta1), .float(h.beta2), .float(h.epsilon)])
    }

    // MARK: Helpers

    /// The float device buffer behind `tensor`, after checking that this backend owns it and
    /// that it holds floats.
    func buffer(_ tensor: Tensor, _ operation: String) throws -> Buffer<Float> {
        let storage = try storage(tensor, operation)
        guard let buffer = storage.buffer else {
            throw EngineError.elementTypeMismatch(operation: operation, expected: .float32, actual: storage.elementType)
        }
        return buffer
    }

    /// The int32 device buffer behind `tensor`, after the same checks.
    func integers(_ tensor: Tensor, _ operation: String) throws -> Buffer<Int32> {
        let storage = try storage(tensor, operation)
        guard let buffer = storage.integers else {
            throw EngineError.elementTypeMismatch(operation: operation, expected: .int32, actual: storage.elementType)
        }
        return buffer
    }

    private func storage(_ tensor: Tensor, _ operation: String) throws -> DeviceStorage {
        guard tensor.owner == ObjectIdentifier(self), let storage = tensor.storage as? DeviceStorage else {
            throw EngineError.foreignTensor(operation: operation)
        }
        return storage
    }

    private func uninitialized(_ shape: [Int], _ operation: String, elementType: ElementType = .float32) throws -> Tensor {
        let count = try validatedCount(shape, operation: operation)
        let storage = switch elementType {
        case .float32: DeviceStorage(buffer: try Buffer<Float>(context: context, count: count))
        case .int32: DeviceStorage(integers: try Buffer<Int32>(context: context, count: count))
        }
        return Tensor(shape: shape, storage: storage, owner: ObjectIdentifier(self), elementType: elementType)
    }

    /// Runs a one-dimensional kernel over `count` items, rounded up to whole work-groups
    /// (every kernel bounds-checks its index).
    func launch(_ name: String, in source: KernelSource, count: Int, _ arguments: [KernelArgument]) throws {
        guard count > 0 else { return }
        let kernel = try library.kernel(name, in: source)
        try kernel.setArguments(arguments)
        let global = (count + groupSize - 1) / groupSize * groupSize
        try queue.enqueue(kernel, globalSize: [global], localSize: [groupSize])
    }
}

/// How `elementwise.cl`'s softmax kernels take a row (`OpenCLBackend.rowKernel`).
public enum RowKernel: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// One work-item walks each row: for CPU devices, and for every row shorter than a group.
    case workItem = "work-item"
    /// For GPUs: a work-group of `groupWidth` per row of at least that many columns, reducing
    /// through local memory (the kernels' `ROW_GROUP`).
    case workGroup = "work-group"

    /// Work-items per row of the grouped kernels; `ROW_GROUP` in `elementwise.cl`.
    public static let groupWidth = 64

    /// The kernel for a device of this kind.
    public static func preferred(for device: Device) -> RowKernel {
        device.kind == .cpu ? .workItem : .workGroup
    }

    public var description: String { rawValue }
}
