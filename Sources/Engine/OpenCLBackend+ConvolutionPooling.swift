import Kernels
import OpenCL

/// `conv2dMaxPool` and its backward pass on an OpenCL device: `conv_pool.cl` on CPU devices for
/// the pairs the CPU backend fuses (one channel, windows that do not overlap) with at least 16
/// filters (its float16 blocks) and at most 5x5 taps, by parts otherwise. A training step's
/// forward pass records winners instead of storing the convolution, and the fused backward pass
/// reads only those. GPUs run by parts: im2col + GEMM, whose tiles are their strength; the fused
/// kernels' few long work-items are the CPU's shape.
extension OpenCLBackend {
    /// Fused where `fusesConvolutionWithPooling` says; winners recorded there when asked for.
    @discardableResult
    public func conv2dMaxPool(_ input: Tensor, kernel: Tensor, epilogue: GEMMEpilogue, convolved: Tensor, pooled: Tensor,
                              winners: Tensor?, convolution c: Conv2DGeometry, pooling p: Pool2DGeometry) throws -> Bool {
        let operation = "conv2dMaxPool"
        try OperandChecks.conv2dMaxPool(input, kernel: kernel, epilogue: epilogue, convolved: convolved, pooled: pooled,
                                        winners: winners, convolution: c, pooling: p)
        guard fusesConvolutionWithPooling(c, p), epilogue.unfusedActivation == nil else {
            try conv2dMaxPoolByParts(input, kernel: kernel, epilogue: epilogue, convolved: convolved, pooled: pooled,
                                     convolution: c, pooling: p)
            return false
        }
        let weights = try buffer(kernel, operation)
        let head: [KernelArgument] = [.buffer(try buffer(input, operation)), .buffer(weights),
                                      .buffer(try epilogue.bias.map { try buffer($0, operation) } ?? weights),
                                      .bool(epilogue.bias != nil), .bool(epilogue.activation == .relu)]
        let outputs: [KernelArgument]
        if let winners {
            outputs = [.buffer(try buffer(pooled, operation)), .integers(try integers(winners, operation))]
        } else {
            outputs = [.buffer(try buffer(convolved, operation)), .buffer(try buffer(pooled, operation))]
        }
        try launch(winners == nil ? "conv1_max_pool_forward" : "conv1_max_pool_forward_winners", in: .convPool,
                   count: c.batch * p.outputHeight,
                   head + outputs + [.int(c.filters)] + c.kernelArguments + p.fusedKernelArguments)
        return winners != nil
    }

    public func conv2dMaxPoolBackward(input: Tensor, kernel: Tensor, convolved: Tensor, pooled: Tensor, winners: Tensor?,
                                      pooledGradient: Tensor, convolution c: Conv2DGeometry, pooling p: Pool2DGeometry,
                                      throughReLU: Bool, kernelGradient: Tensor?, biasGradient: Tensor?, inputGradient: Tensor?,
                                      convolvedGradient: Tensor) throws {
        let operation = "conv2dMaxPoolBackward"
        try OperandChecks.conv2dMaxPoolBackward(
            input: input, kernel: kernel, convolved: convolved, pooled: pooled, winners: winners, pooledGradient: pooledGradient,
            convolution: c, pooling: p, kernelGradient: kernelGradient, biasGradient: biasGradient,
            inputGradient: inputGradient, convolvedGradient: convolvedGradient)
        // The fused kernels take the gradient from recorded winners only: a backward pass after a
        // forward pass that kept the convolution (no winners asked for) goes by parts.
        guard let winners, fusesConvolutionWithPooling(c, p), inputGradient == nil else {
            try conv2dMaxPoolBackwardByParts(
                input: input, kernel: kernel, convolved: convolved, pooled: pooled, winners: winners,
                pooledGradient: pooledGradient, convolution: c, pooling: p, throughReLU: throughReLU,
                kernelGradient: kernelGradient, biasGradient: biasGradient, inputGradient: inputGradient,
                convolvedGradient: convolvedGradient)
            return
        }
        guard kernelGradient != nil || biasGradient != nil else { return }
        // Bands in fixed chunks of about 2,048 positions (as the CPU backend's), each chunk's
        // sums in a row of partials, added in chunk order: the result does not depend on the device.
        let bands = c.batch * p.outputHeight
        let bandsPerChunk = max(1, 2048 / (c.outputWidth * p.strideY))
        let chunks = (bands + bandsPerChunk - 1) / bandsPerChunk
        let kernelValues = c.patchSize * c.filters
        let partials = try buffer(scratch.matrix(rows: chunks, columns: kernelValues + c.filters, owner: ObjectIdentifier(self)),
                                  operation)
        let partial = try library.kernel("conv1_max_pool_backward_partial", in: .convPool)
        try partial.setArguments([.buffer(buffer(input, operation)), .integers(integers(winners, operation)),
                                  .buffer(buffer(pooledGradient, operation)), .buffer(partials), .int(bandsPerChunk),
                                  .int(chunks), .int(c.filters)]
                                 + c.kernelArguments + p.fusedKernelArguments)
        let blockPairs = ((c.filters + 15) / 16 + 1) / 2, group = 4
        try queue.enqueue(partial, globalSize: [roundUp(chunks, group), blockPairs], localSize: [group, 1])
        try launch("conv1_max_pool_sum_partials", in: .convPool, count: kernelValues + c.filters,
                   [.buffer(partials), .int(chunks), .int(kernelValues), .int(c.filters),
                    .buffer(try kernelGradient.map { try buffer($0, operation) } ?? partials), .bool(kernelGradient != nil),
                    .buffer(try biasGradient.map { try buffer($0, operation) } ?? partials), .bool(biasGradient != nil)])
    }

    /// Whether `conv_pool.cl` takes this pair on this device: its forward kernel gathers at
    /// most `MAX_TAPS` (25, a 5x5 kernel) taps per position.
    private func fusesConvolutionWithPooling(_ c: Conv2DGeometry, _ p: Pool2DGeometry) -> Bool {
        device.kind == .cpu && c.channels == 1 && c.filters >= 16 && c.patchSize <= 25
            && p.windowsAreDisjoint
    }
}

extension Pool2DGeometry {
    /// The ten pooling ints of `conv_pool.cl`'s kernels (`POOL_GEOMETRY` there): the batch and
    /// channels are the convolution's.
    var fusedKernelArguments: [KernelArgument] {
        let rows = self.rows, columns = self.columns
        return [height, width, poolHeight, poolWidth, strideY, strideX, rows.padBefore, columns.padBefore,
                rows.output, columns.output].map { .int($0) }
    }
}
