/// Checks of the convolution, pooling and dropout operands, shared by both backends.
///
/// The layout of a convolution's tensors comes from its geometry, so each tensor is checked for
/// its number of values rather than its exact shape (see `Conv2DGeometry`).
extension OperandChecks {
    static func conv2d(_ input: Tensor, kernel: Tensor, output: Tensor, geometry g: Conv2DGeometry,
                       epilogue: GEMMEpilogue) throws {
        try g.validate(operation: "conv2d")
        try holds("conv2d", input, g.inputShape, "input")
        try holds("conv2d", kernel, g.kernelShape, "kernel")
        try holds("conv2d", output, g.outputShape, "output")
        if let bias = epilogue.bias {
            try holds("conv2d", bias, [g.filters], "bias")
        }
    }

    static func conv2dBackward(input: Tensor, kernel: Tensor, outputGradient: Tensor, geometry g: Conv2DGeometry,
                               kernelGradient: Tensor?, inputGradient: Tensor?) throws {
        try g.validate(operation: "conv2dBackward")
        try holds("conv2dBackward", input, g.inputShape, "input")
        try holds("conv2dBackward", kernel, g.kernelShape, "kernel")
        try holds("conv2dBackward", outputGradient, g.outputShape, "output gradient")
        if let kernelGradient { try holds("conv2dBackward", kernelGradient, g.kernelShape, "kernel gradient") }
        if let inputGradient { try holds("conv2dBackward", inputGradient, g.inputShape, "input gradient") }
    }

    static func maxPool2d(_ input: Tensor, output: Tensor, geometry g: Pool2DGeometry) throws {
        try g.validate(operation: "maxPool2d")
        try holds("maxPool2d", input, g.inputShape, "input")
        try holds("maxPool2d", output, g.outputShape, "output")
    }

    static func maxPool2dBackward(input: Tensor, output: Tensor, outputGradient: Tensor, inputGradient: Tensor,
                                  geometry g: Pool2DGeometry) throws {
        try g.validate(operation: "maxPool2dBackward")
        try holds("maxPool2dBackward", input, g.inputShape, "input")
        try holds("maxPool2dBackward", output, g.outputShape, "output")
        try holds("maxPool2dBackward", outputGradient, g.outputShape, "output gradient")
        try holds("maxPool2dBackward", inputGradient, g.inputShape, "input gradient")
    }

    /// `pooling` pools `convolution`'s output: its input is `[N, OH, OW, O]`.
    static func poolsConvolution(_ operation: String, _ convolution: Conv2DGeometry, _ pooling: Pool2DGeometry) throws {
        let expected = [convolution.batch, convolution.outputHeight, convolution.outputWidth, convolution.filters]
        guard pooling.inputShape == expected else {
            throw EngineError.shapeMismatch(
                operation: operation,
                detail: "the pooling's input \(pooling.inputShape) is not the convolution's output \(expected)")
        }
    }

    /// Winners of a pooling (`Backend.conv2dMaxPool`): int32, one per pooled value. Read back,
    /// `disjoint`, they also need windows that do not overlap (where they are ever recorded).
    static func poolingWinners(_ operation: String, _ winners: Tensor, _ p: Pool2DGeometry, disjoint: Bool = true) throws {
        try elementType(operation, winners, .int32)
        try holds(operation, winners, p.outputShape, "winners")
        guard !disjoint || p.windowsAreDisjoint else {
            throw EngineError.invalidArgument(
                operation: operation,
                detail: "winners need windows that do not overlap; got pool \(p.poolHeight)x\(p.poolWidth) with strides \(p.strideY),\(p.strideX)")
        }
    }

    static func maxPool2dBackward(winners: Tensor, outputGradient: Tensor, inputGradient: Tensor, geometry g: Pool2DGeometry) throws {
        let operation = "maxPool2dBackward"
        try g.validate(operation: operation)
        try poolingWinners(operation, winners, g)
        try holds(operation, outputGradient, g.outputShape, "output gradient")
        try holds(operation, inputGradient, g.inputShape, "input gradient")
    }

    static func conv2dMaxPool(_ input: Tensor, kernel: Tensor, epilogue: GEMMEpilogue, convolved: Tensor, pooled: Tensor,
                              winners: Tensor?, convolution c: Conv2DGeometry, pooling p: Pool2DGeometry) throws {
        let operation = "conv2dMaxPool"
        try conv2d(input, kernel: kernel, output: convolved, geometry: c, epilogue: epilogue)
        try poolsConvolution(operation, c, p)
        try maxPool2d(convolved, output: pooled, geometry: p)
        // Winners asked for where windows overlap are simply not recorded.
        if let winners { try poolingWinners(operation, winners, p, disjoint: false) }
    }

    static func conv2dMaxPoolBackward(input: Tensor, kernel: Tensor, convolved: Tensor, pooled: Tensor, winners: Tensor?,
                                      pooledGradient: Tensor, convolution c: Conv2DGeometry, pooling p: Pool2DGeometry,
                                      kernelGradient: Tensor?, biasGradient: Tensor?, inputGradient: Tensor?,
                                      convolvedGradient: Tensor) throws {
        let operation = "conv2dMaxPoolBackward"
        try poolsConvolution(operation, c, p)
        if let winners { try poolingWinners(operation, winners, p) }
        try conv2dBackward(input: input, kernel: kernel, outputGradient: convolved, geometry: c,
                           kernelGradient: kernelGradient, inputGradient: inputGradient)
        try maxPool2dBackward(input: convolved, output: pooled, outputGradient: pooledGradient, inputGradient: convolvedGradient,
                              geometry: p)
        if let biasGradient { try holds(operation, biasGradient, [c.filters], "bias gradient") }
    }

    /// A dropout rate is a probability of dropping, `0 <= rate < 1` (1 would scale by infinity).
    static func dropoutRate(_ rate: Float) throws {
        guard rate >= 0, rate < 1 else {
            throw EngineError.invalidArgument(operation: "dropoutMask", detail: "rate must be in [0, 1), got \(rate)")
        }
    }

    /// `tensor` holds as many values as `shape` describes.
    private static func holds(_ operation: String, _ tensor: Tensor, _ shape: [Int], _ role: String) throws {
        let expected = shape.reduce(1, *)
        guard tensor.count == expected else {
            throw EngineError.shapeMismatch(
                operation: operation,
                detail: "\(role) \(tensor.shape) has \(tensor.count) values, the geometry needs \(shape) (\(expected))")
        }
    }
}
