/// `conv2dMaxPool` and its backward pass by parts: the existing operations in turn, for a backend
/// (or a shape) without a fused pass. The OpenCL backend runs these; the CPU backend runs them
/// where its fused loops do not apply.
extension Backend {
    /// By parts: `convolved` always holds the convolution, and no winners are recorded.
    @discardableResult
    public func conv2dMaxPool(_ input: Tensor, kernel: Tensor, epilogue: GEMMEpilogue, convolved: Tensor, pooled: Tensor,
                              winners: Tensor?, convolution: Conv2DGeometry, pooling: Pool2DGeometry) throws -> Bool {
        try conv2dMaxPoolByParts(input, kernel: kernel, epilogue: epilogue, convolved: convolved, pooled: pooled,
                                 convolution: convolution, pooling: pooling)
        return false
    }

    public func conv2dMaxPoolBackward(input: Tensor, kernel: Tensor, convolved: Tensor, pooled: Tensor, winners: Tensor?,
                                      pooledGradient: Tensor, convolution: Conv2DGeometry, pooling: Pool2DGeometry,
                                      throughReLU: Bool, kernelGradient: Tensor?, biasGradient: Tensor?, inputGradient: Tensor?,
                                      convolvedGradient: Tensor) throws {
        try conv2dMaxPoolBackwardByParts(
            input: input, kernel: kernel, convolved: convolved, pooled: pooled, winners: winners, pooledGradient: pooledGradient,
            convolution: convolution, pooling: pooling, throughReLU: throughReLU, kernelGradient: kernelGradient,
            biasGradient: biasGradient, inputGradient: inputGradient, convolvedGradient: convolvedGradient)
    }

    /// `conv2d`, then `maxPool2d` of its output.
    func conv2dMaxPoolByParts(_ input: Tensor, kernel: Tensor, epilogue: GEMMEpilogue, convolved: Tensor, pooled: Tensor,
                              convolution: Conv2DGeometry, pooling: Pool2DGeometry) throws {
        try OperandChecks.poolsConvolution("conv2dMaxPool", convolution, pooling)
        try conv2d(input, kernel: kernel, into: convolved, geometry: convolution, epilogue: epilogue)
        try maxPool2d(convolved, into: pooled, geometry: pooling)
    }

    /// `maxPool2dBackward` into `convolvedGradient` (from `winners` where the forward pass
    /// recorded them), then `conv2dBackward` and `columnSums` of it.
    func conv2dMaxPoolBackwardByParts(input: Tensor, kernel: Tensor, convolved: Tensor, pooled: Tensor, winners: Tensor?,
                                      pooledGradient: Tensor, convolution: Conv2DGeometry, pooling: Pool2DGeometry,
                                      throughReLU: Bool, kernelGradient: Tensor?, biasGradient: Tensor?, inputGradient: Tensor?,
                                      convolvedGradient: Tensor) throws {
        let operation = "conv2dMaxPoolBackward"
        try OperandChecks.poolsConvolution(operation, convolution, pooling)
        if let winners {
            try maxPool2dBackward(winners: winners, outputGradient: pooledGradient, into: convolvedGradient, geometry: pooling)
        } else {
            try maxPool2dBackward(input: convolved, output: pooled, outputGradient: pooledGradient, into: convolvedGradient,
                                  geometry: pooling, throughReLU: throughReLU)
        }
        if kernelGradient != nil || inputGradient != nil {
            try conv2dBackward(input: input, kernel: kernel, outputGradient: convolvedGradient, geometry: convolution,
                               kernelGradient: kernelGradient, inputGradient: inputGradient)
        }
        if let biasGradient {
            try columnSums(try convolvedGradient.reshaped([convolution.outputPositions, convolution.filters]),
                           into: biasGradient, beta: 0)
        }
    }
}
