import Engine
import Foundation
import Testing

/// Conv2D + ReLU + MaxPool of `conv_reference.json` (PyTorch float64 autograd): the forward
/// values and the gradients of `loss = sum(pooled * R)` with respect to the input, the kernel and
/// the bias, through the engine's operations on each backend. The fixture is NCHW / OIHW and is
/// converted to NHWC / HWIO here. Tolerance as the fixture's README suggests for float32 code:
/// 1e-5 relative + 1e-6 absolute.
@Suite("Conv fixture (PyTorch reference)", .serialized)
struct ConvFixtureTests {
    typealias Array4 = [[[[Double]]]]

    struct Fixture: Decodable {
        var x: Array4
        var kernel_oihw: Array4
        var kernel_hwio_keras: Array4
        var bias: [Double]
        var conv, relu, pooled, R: Array4
        var loss: Double
        var grad_x, grad_kernel_oihw: Array4
        var grad_bias: [Double]
    }

    static func load() throws -> Fixture {
        let url = fixturesDirectory().appendingPathComponent("conv_reference.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    /// `[n][c][h][w]` -> NHWC values, row-major.
    static func nhwc(_ a: Array4) -> [Float] {
        let (n, c, h, w) = (a.count, a[0].count, a[0][0].count, a[0][0][0].count)
        var out: [Float] = []
        for i in 0..<n { for y in 0..<h { for x in 0..<w { for k in 0..<c { out.append(Float(a[i][k][y][x])) } } } }
        precondition(out.count == n * c * h * w)
        return out
    }

    /// `[o][i][kh][kw]` -> HWIO values, row-major.
    static func hwio(_ a: Array4) -> [Float] {
        let (o, i, h, w) = (a.count, a[0].count, a[0][0].count, a[0][0][0].count)
        var out: [Float] = []
        for y in 0..<h { for x in 0..<w { for c in 0..<i { for f in 0..<o { out.append(Float(a[f][c][y][x])) } } } }
        return out
    }

    @Test func layoutConversionMatchesKerasKernel() throws {
        let fixture = try Self.load()
        #expect(Self.hwio(fixture.kernel_oihw) == fixture.kernel_hwio_keras.flatMap { $0.flatMap { $0.flatMap { $0.map(Float.init) } } })
    }

    @Test(arguments: [BackendKind.cpu, .opencl])
    func forwardAndGradients(kind: BackendKind) throws {
        let fixture = try Self.load()
        let backend: any Backend = kind == .cpu ? TestBackends.cpu() : try TestBackends.openCL()
        let conv = Conv2DGeometry(batch: 2, height: 6, width: 6, channels: 1, filters: 2, kernelHeight: 3, kernelWidth: 3)
        let pool = Pool2DGeometry(batch: 2, height: conv.outputHeight, width: conv.outputWidth, channels: 2)
        func expectClose(_ tensor: Tensor, _ expected: [Float], _ what: String) throws {
            let worst = worstError(try backend.read(tensor), expected, absolute: 1e-6, relative: 1e-5)
            #expect(worst <= 1, "\(what) on \(kind): worst error \(worst)x the tolerance")
        }

        let x = try backend.upload(Self.nhwc(fixture.x), shape: conv.inputShape)
        let kernel = try backend.upload(Self.hwio(fixture.kernel_oihw), shape: conv.kernelShape)
        let bias = try backend.upload(fixture.bias.map(Float.init), shape: [2])

        // Forward: conv with the bias epilogue, ReLU, pooling.
        let z = try backend.zeros(conv.outputShape), h = try backend.zeros(conv.outputShape)
        let pooled = try backend.zeros(pool.outputShape)
        try backend.conv2d(x, kernel: kernel, into: z, geometry: conv, epilogue: GEMMEpilogue(bias: bias))
        try backend.activate(.relu, z, into: h)
        try backend.maxPool2d(h, into: pooled, geometry: pool)
        try expectClose(z, Self.nhwc(fixture.conv), "conv")
        try expectClose(h, Self.nhwc(fixture.relu), "relu")
        try expectClose(pooled, Self.nhwc(fixture.pooled), "pooled")
        let r = Self.nhwc(fixture.R)
        let loss = zip(try backend.read(pooled), r).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(loss - fixture.loss) < 1e-5 * max(1, abs(fixture.loss)))

        // Backward: d loss / d pooled = R.
        let dPooled = try backend.upload(r, shape: pool.outputShape)
        let dH = try backend.zeros(conv.outputShape), dZ = try backend.zeros(conv.outputShape)
        try backend.maxPool2dBackward(input: h, output: pooled, outputGradient: dPooled, into: dH, geometry: pool)
        try backend.activationBackward(.relu, outputGradient: dH, output: h, into: dZ)
        let dBias = try backend.zeros([2]), dKernel = try backend.zeros(conv.kernelShape), dX = try backend.zeros(conv.inputShape)
        try backend.columnSums(try dZ.reshaped([conv.outputPositions, conv.filters]), into: dBias, beta: 0)
        try backend.conv2dBackward(input: x, kernel: kernel, outputGradient: dZ, geometry: conv,
                                   kernelGradient: dKernel, inputGradient: dX)
        try expectClose(dBias, fixture.grad_bias.map(Float.init), "grad_bias")
        try expectClose(dKernel, Self.hwio(fixture.grad_kernel_oihw), "grad_kernel")
        try expectClose(dX, Self.nhwc(fixture.grad_x), "grad_x")

        // The same through the fused pair, as a ReLU convolution into a max-pool trains (the CPU
        // backend's fused loops take this one-channel shape; OpenCL runs it by parts).
        let convolved = try backend.zeros(conv.outputShape), fusedPooled = try backend.zeros(pool.outputShape)
        try backend.conv2dMaxPool(x, kernel: kernel, epilogue: GEMMEpilogue(bias: bias, activation: .relu), convolved: convolved,
                                  pooled: fusedPooled, winners: nil, convolution: conv, pooling: pool)
        try expectClose(convolved, Self.nhwc(fixture.relu), "fused relu")
        try expectClose(fusedPooled, Self.nhwc(fixture.pooled), "fused pooled")
        let fusedBias = try backend.zeros([2]), fusedKernel = try backend.zeros(conv.kernelShape)
        try backend.conv2dMaxPoolBackward(input: x, kernel: kernel, convolved: convolved, pooled: fusedPooled, winners: nil,
                                          pooledGradient: dPooled, convolution: conv, pooling: pool, throughReLU: true,
                                          kernelGradient: fusedKernel, biasGradient: fusedBias, inputGradient: nil,
                                          convolvedGradient: try backend.zeros(conv.outputShape))
        try expectClose(fusedBias, fixture.grad_bias.map(Float.init), "fused grad_bias")
        try expectClose(fusedKernel, Self.hwio(fixture.grad_kernel_oihw), "fused grad_kernel")

        // And as a training step runs it: winners recorded where the backend can (the CPU
        // backend here), the backward pass from them.
        let winners = try backend.zeros(pool.outputShape, elementType: .int32)
        let trainingPooled = try backend.zeros(pool.outputShape)
        let recorded = try backend.conv2dMaxPool(x, kernel: kernel, epilogue: GEMMEpilogue(bias: bias, activation: .relu),
                                                 convolved: try backend.zeros(conv.outputShape), pooled: trainingPooled,
                                                 winners: winners, convolution: conv, pooling: pool)
        #expect(recorded == (backend.kind == .cpu), "winners recorded")
        try expectClose(trainingPooled, Self.nhwc(fixture.pooled), "training pooled")
        let trainingBias = try backend.zeros([2]), trainingKernel = try backend.zeros(conv.kernelShape)
        try backend.conv2dMaxPoolBackward(input: x, kernel: kernel, convolved: convolved, pooled: trainingPooled,
                                          winners: recorded ? winners : nil, pooledGradient: dPooled, convolution: conv,
                                          pooling: pool, throughReLU: true, kernelGradient: trainingKernel,
                                          biasGradient: trainingBias, inputGradient: nil,
                                          convolvedGradient: try backend.zeros(conv.outputShape))
        try expectClose(trainingBias, fixture.grad_bias.map(Float.init), "training grad_bias")
        try expectClose(trainingKernel, Self.hwio(fixture.grad_kernel_oihw), "training grad_kernel")
    }
}
