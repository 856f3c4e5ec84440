import Engine
import Testing

/// An epilogue's activation, fused (ReLU) or run after the product (tanh, sigmoid), gives the
/// very bits of the product with its bias followed by `activate`, on both backends, for the
/// GEMM and for both convolution paths (the CPU's direct loop for one channel, im2col + GEMM
/// otherwise).
@Suite("Epilogue activations", .serialized)
struct EpilogueActivationTests {
    static let cases: [(BackendKind, ActivationFunction)] = [BackendKind.cpu, .opencl].flatMap { kind in
        ActivationFunction.allCases.map { (kind, $0) }
    }

    func backend(_ kind: BackendKind) throws -> any Backend {
        kind == .cpu ? TestBackends.cpu() : try TestBackends.openCL()
    }

    @Test(arguments: cases)
    func gemmAppliesTheActivation(kind: BackendKind, function: ActivationFunction) throws {
        let b = try backend(kind)
        let (m, k, n) = (13, 7, 11)
        let x = try b.upload(TestData.values(m * k, seed: 1, in: -2..<2), shape: [m, k])
        let w = try b.upload(TestData.values(k * n, seed: 2), shape: [k, n])
        let bias = try b.upload(TestData.values(n, seed: 3), shape: [n])
        let fused = try b.zeros([m, n]), separate = try b.zeros([m, n])
        try b.gemm(x, w, into: fused, transposeA: false, transposeB: false, alpha: 1, beta: 0,
                   epilogue: GEMMEpilogue(bias: bias, activation: function))
        try b.gemm(x, w, into: separate, transposeA: false, transposeB: false, alpha: 1, beta: 0,
                   epilogue: GEMMEpilogue(bias: bias))
        try b.activate(function, separate, into: separate)
        #expect(try b.read(fused) == b.read(separate))
    }

    @Test(arguments: cases)
    func convolutionAppliesTheActivation(kind: BackendKind, function: ActivationFunction) throws {
        let b = try backend(kind)
        for channels in [1, 3] {
            let g = Conv2DGeometry(batch: 2, height: 7, width: 5, channels: channels, filters: 5, kernelHeight: 3, kernelWidth: 3)
            let x = try b.upload(TestData.values(g.inputShape.reduce(1, *), seed: 4, in: -2..<2), shape: g.inputShape)
            let kernel = try b.upload(TestData.values(g.kernelShape.reduce(1, *), seed: 5), shape: g.kernelShape)
            let bias = try b.upload(TestData.values(g.filters, seed: 6), shape: [g.filters])
            let fused = try b.zeros(g.outputShape), separate = try b.zeros(g.outputShape)
            try b.conv2d(x, kernel: kernel, into: fused, geometry: g, epilogue: GEMMEpilogue(bias: bias, activation: function))
            try b.conv2d(x, kernel: kernel, into: separate, geometry: g, epilogue: GEMMEpilogue(bias: bias))
            try b.activate(function, separate, into: separate)
            #expect(try b.read(fused) == b.read(separate), "\(channels) channel(s)")
        }
    }
}
