/// Convolution, pooling and dropout on the CPU: im2col into the backend's scratch block plus
/// OpenBLAS, or the direct loop, and the gather loops of `SpatialLoops` / `PoolingLoops`.
extension CPUBackend {
    public func conv2d(_ input: Tensor, kernel: Tensor, into output: Tensor, geometry g: Conv2DGeometry,
                       epilogue: GEMMEpilogue) throws {
        try OperandChecks.conv2d(input, kernel: kernel, output: output, geometry: g, epilogue: epilogue)
        // One input channel makes a poor GEMM (inner dimension 9 for a 3x3 kernel), so it runs as
        // a direct loop; more channels run as im2col + OpenBLAS. For the cnn model's first layer
        // (batch 128, 28x28x1 -> 26x26x32, bias + ReLU) the direct loop took 2.1-2.3 ms against
        // 2.6-3.2 ms for im2col + sgemm + the epilogue pass; for the second layer
        // (13x13x32 -> 11x11x64) it took 9.5 ms against 4.7 ms.
        if g.channels == 1 {
            DirectConvolutionLoops.convolve(SharedPointer(try pointer(input, "conv2d")), kernel: SharedPointer(try pointer(kernel, "conv2d")),
                                  into: SharedPointer(try pointer(output, "conv2d")),
                                  bias: try epilogue.bias.map { SharedPointer(try pointer($0, "conv2d")) },
                                  relu: epilogue.activation == .relu, g)
            if let function = epilogue.unfusedActivation { try activate(function, output, into: output) }
            return
        }
        try gemm(try patchMatrix(input, g), try kernel.reshaped([g.patchSize, g.filters]),
                 into: try output.reshaped([g.outputPositions, g.filters]),
                 transposeA: false, transposeB: false, alpha: 1, beta: 0, epilogue: epilogue)
    }

    public func conv2dBackward(input: Tensor, kernel: Tensor, outputGradient: Tensor, geometry g: Conv2DGeometry,
                               kernelGradient: Tensor?, inputGradient: Tensor?) throws {
        try OperandChecks.conv2dBackward(input: input, kernel: kernel, outputGradient: outputGradient, geometry: g,
                                         kernelGradient: kernelGradient, inputGradient: inputGradient)
        let dOut = try outputGradient.reshaped([g.outputPositions, g.filters])
        let kernelMatrix = try kernel.reshaped([g.patchSize, g.filters])
        if let kernelGradient, g.channels == 1 {
            // dK = patchesᵀ · dOut has an inner dimension of N*OH*OW (86528 for cnn's first layer
            // at batch 128) and a 9 x 32 result: OpenBLAS splits it across threads, whose spinning
            // afterwards slowed the rest of the step. The direct loop (as for the forward pass)
            // keeps the step on our own threads.
            DirectConvolutionLoops.kernelGradient(SharedPointer(try pointer(input, "conv2dBackward")),
                                        outputGradient: SharedPointer(try pointer(outputGradient, "conv2dBackward")),
                                        into: try pointer(kernelGradient, "conv2dBackward"), g)
        } else if let kernelGradient {
            // dK = patchesᵀ · dOut, [KH*KW*C, N*OH*OW] x [N*OH*OW, O].
            try gemm(try patchMatrix(input, g), dOut, into: try kernelGradient.reshaped([g.patchSize, g.filters]),
                     transposeA: true, transposeB: false, alpha: 1, beta: 0, epilogue: .none)
        }
        if let inputGradient {
            if g.isPointwise {
                try gemm(dOut, kernelMatrix, into: try inputGradient.reshaped([g.outputPositions, g.channels]),
                         transposeA: false, transposeB: true, alpha: 1, beta: 0, epilogue: .none)
                return
            }
            // dPatches = dOut · kernelᵀ, then each input value gathers the entries that read it.
            let dPatches = try scratch.matrix(rows: g.outputPositions, columns: g.patchSize, owner: ObjectIdentifier(self))
            try gemm(dOut, kernelMatrix, into: dPatches, transposeA: false, transposeB: true, alpha: 1, beta: 0, epilogue: .none)
            SpatialLoops.col2im(SharedPointer(try pointer(dPatches, "conv2dBackward")),
                                into: SharedPointer(try pointer(inputGradient, "conv2dBackward")), g)
        }
    }

    public func maxPool2d(_ input: Tensor, into output: Tensor, geometry g: Pool2DGeometry) throws {
        try OperandChecks.maxPool2d(input, output: output, geometry: g)
        PoolingLoops.forward(SharedPointer(try pointer(input, "maxPool2d")), into: SharedPointer(try pointer(output, "maxPool2d")), g)
    }

    public func maxPool2dBackward(input: Tensor, output: Tensor, outputGradient: Tensor, into inputGradient: Tensor,
                                  geometry g: Pool2DGeometry, throughReLU: Bool) throws {
        try OperandChecks.maxPool2dBackward(input: input, output: output, outputGradient: outputGradient,
                                            inputGradient: inputGradient, geometry: g)
        let operation = "maxPool2dBackward"
        PoolingLoops.backward(input: SharedPointer(try pointer(input, operation)), output: SharedPointer(try pointer(output, operation)),
                              outputGradient: SharedPointer(try pointer(outputGradient, operation)),
                              into: SharedPointer(try pointer(inputGradient, operation)), g, throughReLU: throughReLU)
    }

    public func maxPool2dBackward(winners: Tensor, outputGradient: Tensor, into inputGradient: Tensor,
                                  geometry g: Pool2DGeometry) throws {
        try OperandChecks.maxPool2dBackward(winners: winners, outputGradient: outputGradient, inputGradient: inputGradient,
                                            geometry: g)
        let operation = "maxPool2dBackward"
        PoolingLoops.backward(winners: SharedPointer(try integers(winners, operation)),
                              outputGradient: SharedPointer(try pointer(outputGradient, operation)),
                              into: SharedPointer(try pointer(inputGradient, operation)), g)
    }

    /// Fused where `ConvolutionPoolingLoops` applies; winners recorded there when asked for.
    @discardableResult
    public func conv2dMaxPool(_ input: Tensor, kernel: Tensor, epilogue: GEMMEpilogue, convolved: Tensor, pooled: Tensor,
                              winners: Tensor?, convolution: Conv2DGeometry, pooling: Pool2DGeometry) throws -> Bool {
        try OperandChecks.conv2dMaxPool(input, kernel: kernel, epilogue: epilogue, convolved: convolved, pooled: pooled,
                                        winners: winners, convolution: convolution, pooling: pooling)
        guard ConvolutionPoolingLoops.apply(convolution, pooling), epilogue.unfusedActivation == nil else {
            try conv2dMaxPoolByParts(input, kernel: kernel, epilogue: epilogue, convolved: convolved, pooled: pooled,
                                     convolution: convolution, pooling: pooling)
            return false
        }
        let operation = "conv2dMaxPool"
        let x = SharedPointer(try pointer(input, operation)), k = SharedPointer(try pointer(kernel, operation))
        let bias = try epilogue.bias.map { SharedPointer(try pointer($0, operation)) }
        let relu = epilogue.activation == .relu, out = SharedPointer(try pointer(pooled, operation))
        if let winners {
            ConvolutionPoolingLoops.forwardRecordingWinners(x, kernel: k, bias: bias, relu: relu, pooled: out,
                                                            winners: SharedPointer(try integers(winners, operation)),
                                                            convolution, pooling)
            return true
        }
        ConvolutionPoolingLoops.forward(x, kernel: k, bias: bias, relu: relu, convolved: SharedPointer(try pointer(convolved, operation)),
                                        pooled: out, convolution, pooling)
        return false
    }

    public func conv2dMaxPoolBackward(input: Tensor, kernel: Tensor, convolved: Tensor, pooled: Tensor, winners: Tensor?,
                                      pooledGradient: Tensor, convolution: Conv2DGeometry, pooling: Pool2DGeometry,
                                      throughReLU: Bool, kernelGradient: Tensor?, biasGradient: Tensor?, inputGradient: Tensor?,
                                      convolvedGradient: Tensor) throws {
        try OperandChecks.conv2dMaxPoolBackward(
            input: input, kernel: kernel, convolved: convolved, pooled: pooled, winners: winners, pooledGradient: pooledGradient,
            convolution: convolution, pooling: pooling, kernelGradient: kernelGradient, biasGradient: biasGradient,
            inputGradient: inputGradient, convolvedGradient: convolvedGradient)
        // The fused pass has no input gradient: that is the GEMM path's (several channels) or,
        // for one channel, a layer that is not first, which no preset has.
        guard ConvolutionPoolingLoops.apply(convolution, pooling), inputGradient == nil else {
            try conv2dMaxPoolBackwardByParts(
                input: input, kernel: kernel, convolved: convolved, pooled: pooled, winners: winners,
                pooledGradient: pooledGradient, convolution: convolution, pooling: pooling, throughReLU: throughReLU,
                kernelGradient: kernelGradient, biasGradient: biasGradient, inputGradient: inputGradient,
                convolvedGradient: convolvedGradient)
            return
        }
        let operation = "conv2dMaxPoolBackward"
        let source: PooledGradientSource = try winners.map { .winners(SharedPointer(try integers($0, operation))) }
            ?? .search(convolved: SharedPointer(try pointer(convolved, operation)), pooled: SharedPointer(try pointer(pooled, operation)),
                       throughReLU: throughReLU)
        ConvolutionPoolingLoops.backward(
            input: SharedPointer(try pointer(input, operation)), gradientSource: source,
            pooledGradient: SharedPointer(try pointer(pooledGradient, operation)), convolution, pooling,
            kernelGradient: try kernelGradient.map { try pointer($0, operation) },
            biasGradient: try biasGradient.map { try pointer($0, operation) })
    }

    public func dropoutMask(_ mask: Tensor, rate: Float, seed: UInt64) throws {
        try OperandChecks.dropoutRate(rate)
        let p = SharedPointer(try pointer(mask, "dropoutMask"))
        let key = CounterRandom.key(seed: seed), scale = 1 / (1 - rate)
        parallelChunks(mask.count) { range in
            for i in range { p[i] = CounterRandom.uniform(key: key, index: i) >= rate ? scale : 0 }
        }
    }

    public func dropout(_ x: Tensor, rate: Float, seed: UInt64, into y: Tensor) throws {
        try OperandChecks.dropoutRate(rate)
        try OperandChecks.sameCount("dropout", x, y)
        let px = SharedPointer(try pointer(x, "dropout")), py = SharedPointer(try pointer(y, "dropout"))
        let key = CounterRandom.key(seed: seed), scale = 1 / (1 - rate)
        parallelChunks(x.count) { range in
            for i in range { py[i] = px[i] * (CounterRandom.uniform(key: key, index: i) >= rate ? scale : 0) }
        }
    }

    public func multiply(_ a: Tensor, _ b: Tensor, into c: Tensor) throws {
        try OperandChecks.sameCount("multiply", a, b, c)
        let pa = SharedPointer(try pointer(a, "multiply")), pb = SharedPointer(try pointer(b, "multiply"))
        let pc = SharedPointer(try pointer(c, "multiply"))
        parallelChunks(a.count) { range in
            for i in range { pc[i] = pa[i] * pb[i] }
        }
    }

    /// The patch matrix of `input`: the input itself for a pointwise convolution, else im2col
    /// into the scratch block.
    private func patchMatrix(_ input: Tensor, _ g: Conv2DGeometry) throws -> Tensor {
        if g.isPointwise { return try input.reshaped([g.outputPositions, g.channels]) }
        let patches = try scratch.matrix(rows: g.outputPositions, columns: g.patchSize, owner: ObjectIdentifier(self))
        SpatialLoops.im2col(SharedPointer(try pointer(input, "conv2d")), into: SharedPointer(try pointer(patches, "conv2d")), g)
        return patches
    }
}

extension Conv2DGeometry {
    /// A 1x1 kernel at stride 1: the input, seen as `[N*H*W, C]`, is already the patch matrix.
    var isPointwise: Bool { kernelHeight == 1 && kernelWidth == 1 && strideY == 1 && strideX == 1 }
}
