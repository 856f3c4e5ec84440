import Kernels
import OpenCL

/// Convolution, pooling and dropout on an OpenCL device: `conv.cl` (im2col, col2im),
/// the backend's GEMM, `pool.cl`, and the dropout kernels of `elementwise.cl`.
extension OpenCLBackend {
    public func conv2d(_ input: Tensor, kernel: Tensor, into output: Tensor, geometry g: Conv2DGeometry,
                       epilogue: GEMMEpilogue) throws {
        try OperandChecks.conv2d(input, kernel: kernel, output: output, geometry: g, epilogue: epilogue)
        // im2col + GEMM on every device. On PoCL (2-core EPYC, AVX-512), for the cnn model's first
        // layer (batch 128, 28x28x1 -> 26x26x32, 3x3, bias + ReLU) it took 0.9 ms against 12.5 ms
        // for a direct kernel (one work-item per output pixel looping over filters and taps,
        // which PoCL ran as scalar code); for the second (13x13x32 -> 11x11x64) 3.3 ms against
        // 104 ms. GPUs are unmeasured: they get the same method, the GEMM being their strength.
        let patches = try patchMatrix(input, g)
        try gemm(patches, try kernel.reshaped([g.patchSize, g.filters]), into: try output.reshaped([g.outputPositions, g.filters]),
                 transposeA: false, transposeB: false, alpha: 1, beta: 0, epilogue: epilogue)
    }

    public func conv2dBackward(input: Tensor, kernel: Tensor, outputGradient: Tensor, geometry g: Conv2DGeometry,
                               kernelGradient: Tensor?, inputGradient: Tensor?) throws {
        try OperandChecks.conv2dBackward(input: input, kernel: kernel, outputGradient: outputGradient, geometry: g,
                                         kernelGradient: kernelGradient, inputGradient: inputGradient)
        let dOut = try outputGradient.reshaped([g.outputPositions, g.filters])
        let kernelMatrix = try kernel.reshaped([g.patchSize, g.filters])
        if let kernelGradient {
            // dK = patchesᵀ · dOut. The in-order queue finishes this GEMM before the scratch
            // block is overwritten below.
            try gemm(try patchMatrix(input, g), dOut, into: try kernelGradient.reshaped([g.patchSize, g.filters]),
                     transposeA: true, transposeB: false, alpha: 1, beta: 0, epilogue: .none)
        }
        if let inputGradient {
            if g.isPointwise {
                try gemm(dOut, kernelMatrix, into: try inputGradient.reshaped([g.outputPositions, g.channels]),
                         transposeA: false, transposeB: true, alpha: 1, beta: 0, epilogue: .none)
                return
            }
            let dPatches = try scratch.matrix(rows: g.outputPositions, columns: g.patchSize, owner: ObjectIdentifier(self))
            try gemm(dOut, kernelMatrix, into: dPatches, transposeA: false, transposeB: true, alpha: 1, beta: 0, epilogue: .none)
            try launchPixels("col2im", in: .conv, width: g.width, height: g.height, batch: g.batch,
                             [.buffer(buffer(dPatches, "conv2dBackward")), .buffer(buffer(inputGradient, "conv2dBackward"))]
                             + g.kernelArguments)
        }
    }

    public func maxPool2d(_ input: Tensor, into output: Tensor, geometry g: Pool2DGeometry) throws {
        try OperandChecks.maxPool2d(input, output: output, geometry: g)
        try launchPixels("max_pool_forward", in: .pool, width: g.outputWidth, height: g.outputHeight, batch: g.batch,
                         [.buffer(buffer(input, "maxPool2d")), .buffer(buffer(output, "maxPool2d"))] + g.kernelArguments)
    }

    public func maxPool2dBackward(input: Tensor, output: Tensor, outputGradient: Tensor, into inputGradient: Tensor,
                                  geometry g: Pool2DGeometry, throughReLU: Bool) throws {
        try OperandChecks.maxPool2dBackward(input: input, output: output, outputGradient: outputGradient,
                                            inputGradient: inputGradient, geometry: g)
        let operation = "maxPool2dBackward"
        try launchPixels("max_pool_backward", in: .pool, width: g.width, height: g.height, batch: g.batch,
                         [.buffer(buffer(input, operation)), .buffer(buffer(output, operation)),
                          .buffer(buffer(outputGradient, operation)), .buffer(buffer(inputGradient, operation))]
                         + g.kernelArguments + [.bool(throughReLU)])
    }

    public func maxPool2dBackward(winners: Tensor, outputGradient: Tensor, into inputGradient: Tensor,
                                  geometry g: Pool2DGeometry) throws {
        try OperandChecks.maxPool2dBackward(winners: winners, outputGradient: outputGradient, inputGradient: inputGradient,
                                            geometry: g)
        let operation = "maxPool2dBackward"
        try launchPixels("max_pool_backward_winners", in: .pool, width: g.width, height: g.height, batch: g.batch,
                         [.integers(integers(winners, operation)), .buffer(buffer(outputGradient, operation)),
                          .buffer(buffer(inputGradient, operation))] + g.kernelArguments)
    }

    public func dropoutMask(_ mask: Tensor, rate: Float, seed: UInt64) throws {
        try OperandChecks.dropoutRate(rate)
        try launch("dropout_mask", in: .elementwise, count: mask.count,
                   [.buffer(buffer(mask, "dropoutMask")), .int(mask.count), .ulong(CounterRandom.key(seed: seed)),
                    .float(rate), .float(1 / (1 - rate))])
    }

    public func dropout(_ x: Tensor, rate: Float, seed: UInt64, into y: Tensor) throws {
        try OperandChecks.dropoutRate(rate)
        try OperandChecks.sameCount("dropout", x, y)
        try launch("dropout", in: .elementwise, count: x.count,
                   [.buffer(buffer(x, "dropout")), .buffer(buffer(y, "dropout")), .int(x.count),
                    .ulong(CounterRandom.key(seed: seed)), .float(rate), .float(1 / (1 - rate))])
    }

    public func multiply(_ a: Tensor, _ b: Tensor, into c: Tensor) throws {
        try OperandChecks.sameCount("multiply", a, b, c)
        try launch("multiply", in: .elementwise, count: a.count,
                   [.buffer(buffer(a, "multiply")), .buffer(buffer(b, "multiply")), .buffer(buffer(c, "multiply")),
                    .int(a.count)])
    }

    /// The patch matrix of `input`: the input itself for a pointwise convolution, else im2col
    /// into the scratch buffer.
    func patchMatrix(_ input: Tensor, _ g: Conv2DGeometry) throws -> Tensor {
        if g.isPointwise { return try input.reshaped([g.outputPositions, g.channels]) }
        let patches = try scratch.matrix(rows: g.outputPositions, columns: g.patchSize, owner: ObjectIdentifier(self))
        let arguments: [KernelArgument] = [.buffer(try buffer(input, "conv2d")), .buffer(try buffer(patches, "conv2d"))]
            + g.kernelArguments
        switch im2colKernel {
        case .patchRows:
            try launchPixels("im2col", in: .conv, width: g.outputWidth, height: g.outputHeight, batch: g.batch, arguments)
        case .coalesced:
            try launchPixels("im2col_coalesced", in: .conv, width: g.outputWidth * g.patchSize, height: g.outputHeight,
                             batch: g.batch, arguments)
        }
        return patches
    }

    /// Runs a kernel with one work-item per pixel, on the range (x, y, image), in work-groups
    /// of the tuning's pixel width along x (rounded up; the kernels bounds-check x).
    private func launchPixels(_ name: String, in source: KernelSource, width: Int, height: Int, batch: Int,
                              _ arguments: [KernelArgument]) throws {
        let kernel = try library.kernel(name, in: source)
        try kernel.setArguments(arguments)
        let group = min(pixelGroupWidth, device.maxWorkGroupSize)
        try queue.enqueue(kernel, globalSize: [roundUp(width, group), height, batch], localSize: [group, 1, 1])
    }
}

extension Conv2DGeometry {
    /// The twelve geometry ints every kernel of `conv.cl` takes (`CONV_GEOMETRY`).
    var kernelArguments: [KernelArgument] {
        let rows = self.rows, columns = self.columns
        return [batch, height, width, channels, kernelHeight, kernelWidth, strideY, strideX,
                rows.padBefore, columns.padBefore, rows.output, columns.output].map { .int($0) }
    }
}

extension Pool2DGeometry {
    /// The twelve geometry ints every kernel of `pool.cl` takes (`POOL_GEOMETRY`).
    var kernelArguments: [KernelArgument] {
        let rows = self.rows, columns = self.columns
        return [batch, height, width, channels, poolHeight, poolWidth, strideY, strideX,
                rows.padBefore, columns.padBefore, rows.output, columns.output].map { .int($0) }
    }
}

/// Which `conv.cl` kernel gathers the patch matrix (`OpenCLBackend.im2colKernel`).
public enum Im2colKernel: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// For CPU devices (PoCL): a work-item per patch row, no integer division.
    case patchRows = "patch-rows"
    /// For GPUs: a work-item per value, neighbours writing neighbouring addresses (coalesced).
    case coalesced

    /// The kernel for a device of this kind.
    public static func preferred(for device: Device) -> Im2colKernel {
        device.kind == .cpu ? .patchRows : .coalesced
    }

    public var description: String { rawValue }
}
