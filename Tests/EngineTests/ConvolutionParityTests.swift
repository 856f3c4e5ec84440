import Engine
import Testing

/// One convolution shape to check.
struct ConvCase: Sendable, CustomTestStringConvertible {
    let geometry: Conv2DGeometry
    init(batch: Int, _ height: Int, _ width: Int, _ channels: Int, filters: Int, kernel: (Int, Int),
         stride: (Int, Int) = (1, 1), _ padding: Padding) {
        geometry = Conv2DGeometry(batch: batch, height: height, width: width, channels: channels, filters: filters,
                                  kernelHeight: kernel.0, kernelWidth: kernel.1, strideY: stride.0, strideX: stride.1,
                                  padding: padding)
    }

    var testDescription: String { geometry.description }

    /// Odd sizes, both paddings, strides 1 and 2, 1x1 to 5x5 kernels, batches 1 to 3, one channel
    /// (the CPU backend's direct loops: 7, 16, 17, 20 and 32 filters cover their 16- and 8-wide
    /// blocks and remainders; rows of 3, 4 and 7 positions their four-position blocks, the last
    /// overlapping, and a row too narrow for one; the 5x5 kernel's 25 taps three groups of nine;
    /// valid padding at strides 1 and 2, where the taps are read in place)
    /// and several (im2col + GEMM on both backends).
    static let all: [ConvCase] = [
        ConvCase(batch: 1, 5, 5, 3, filters: 7, kernel: (3, 3), .valid),
        ConvCase(batch: 3, 5, 5, 3, filters: 7, kernel: (3, 3), .same),
        ConvCase(batch: 3, 5, 5, 3, filters: 7, kernel: (3, 3), stride: (2, 2), .same),
        ConvCase(batch: 1, 5, 5, 3, filters: 7, kernel: (3, 3), stride: (2, 2), .valid),
        ConvCase(batch: 3, 7, 5, 2, filters: 4, kernel: (5, 5), .same),
        ConvCase(batch: 1, 7, 5, 2, filters: 4, kernel: (5, 5), stride: (2, 2), .valid),
        ConvCase(batch: 3, 7, 5, 3, filters: 5, kernel: (1, 1), .valid),
        ConvCase(batch: 1, 7, 5, 3, filters: 5, kernel: (1, 1), stride: (2, 2), .same),
        ConvCase(batch: 2, 8, 7, 4, filters: 6, kernel: (3, 2), stride: (2, 1), .same),
        ConvCase(batch: 2, 4, 4, 2, filters: 3, kernel: (5, 5), .same),
        ConvCase(batch: 3, 6, 6, 1, filters: 7, kernel: (3, 3), .valid),
        ConvCase(batch: 2, 9, 7, 1, filters: 20, kernel: (3, 3), stride: (2, 2), .same),
        ConvCase(batch: 1, 7, 7, 1, filters: 16, kernel: (5, 5), .same),
        ConvCase(batch: 2, 4, 3, 1, filters: 17, kernel: (3, 3), .same),
        ConvCase(batch: 2, 11, 9, 1, filters: 32, kernel: (3, 3), .valid),
        ConvCase(batch: 2, 11, 12, 1, filters: 16, kernel: (3, 3), stride: (2, 2), .valid),
        ConvCase(batch: 2, 13, 13, 16, filters: 32, kernel: (3, 3), .valid),
    ]
}

/// `conv2d` and `conv2dBackward` on odd shapes: OpenCL against CPU, and both against a plain
/// double-precision reference written from the definition (`SpatialReference`). Tolerance
/// 1e-5 relative + 1e-5 absolute: float32 sums of up to a few hundred products in [-1, 1].
@Suite("Convolution parity, OpenCL vs CPU and a reference", .serialized)
struct ConvolutionParityTests {
    let harness: ParityHarness
    init() throws { harness = try ParityHarness() }

    /// More images than a GPU takes work-groups in dimension 2 (65,535 on NVIDIA's): the
    /// per-pixel kernels (im2col, col2im) run as several launches, each slice at its offset
    /// (`CommandQueue.enqueue`). The forward pass and the input gradient are checked as tightly
    /// as the small cases. The kernel gradient sums 630,000 products per value in float32, so
    /// its rounding alone exceeds the small cases' 1e-5; it is held to 1e-3 relative, where a
    /// slice of images skipped or counted twice would move it by about half.
    @Test func launchesPastTheGroupLimit() throws {
        let g = Conv2DGeometry(batch: 70_000, height: 3, width: 3, channels: 2, filters: 3, kernelHeight: 3, kernelWidth: 3,
                               padding: .same)
        let x = TestData.values(g.inputShape.reduce(1, *), seed: 1), k = TestData.values(g.kernelShape.reduce(1, *), seed: 2)
        let dOut = TestData.values(g.outputShape.reduce(1, *), seed: 4)
        let (dK, dX) = SpatialReference.conv2dBackward(x, k, dOut, g)
        let plain = SpatialReference.conv2d(x, k, bias: nil, g)
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let input = try backend.upload(x, shape: g.inputShape), kernel = try backend.upload(k, shape: g.kernelShape)
            let output = try backend.zeros(g.outputShape), kernelGradient = try backend.zeros(g.kernelShape)
            let inputGradient = try backend.zeros(g.inputShape)
            try backend.conv2d(input, kernel: kernel, into: output, geometry: g, epilogue: .none)
            try backend.conv2dBackward(input: input, kernel: kernel, outputGradient: try backend.upload(dOut, shape: g.outputShape),
                                       geometry: g, kernelGradient: kernelGradient, inputGradient: inputGradient)
            #expect(worstError(try backend.read(output), plain, absolute: 1e-5, relative: 1e-5) <= 1, "\(backend.kind) forward")
            #expect(worstError(try backend.read(inputGradient), dX, absolute: 1e-5, relative: 1e-5) <= 1, "\(backend.kind) input gradient")
            #expect(worstError(try backend.read(kernelGradient), dK, absolute: 1e-3, relative: 1e-3) <= 1, "\(backend.kind) kernel gradient")
        }
    }

    @Test(arguments: ConvCase.all)
    func forwardAndBackward(_ testCase: ConvCase) throws {
        let g = testCase.geometry
        let inputCount = g.inputShape.reduce(1, *), kernelCount = g.kernelShape.reduce(1, *)
        let outputCount = g.outputShape.reduce(1, *)
        let x = TestData.values(inputCount, seed: 1), k = TestData.values(kernelCount, seed: 2)
        let bias = TestData.values(g.filters, seed: 3), dOut = TestData.values(outputCount, seed: 4)
        let result = try harness.run(
            inputs: [(x, g.inputShape), (k, g.kernelShape), (bias, [g.filters]), (dOut, g.outputShape)],
            outputs: [(TestData.values(outputCount, seed: 5), g.outputShape),
                      (TestData.values(outputCount, seed: 6), g.outputShape),
                      (TestData.values(kernelCount, seed: 7), g.kernelShape),
                      (TestData.values(inputCount, seed: 8), g.inputShape)]
        ) { backend, ins, outs in
            try backend.conv2d(ins[0], kernel: ins[1], into: outs[0], geometry: g, epilogue: .none)
            try backend.conv2d(ins[0], kernel: ins[1], into: outs[1], geometry: g,
                               epilogue: GEMMEpilogue(bias: ins[2], activation: .relu))
            try backend.conv2dBackward(input: ins[0], kernel: ins[1], outputGradient: ins[3], geometry: g,
                                       kernelGradient: outs[2], inputGradient: outs[3])
        }
        harness.expectAgreement(result, absolute: 1e-5, relative: 1e-5, "conv \(g)")

        let plain = SpatialReference.conv2d(x, k, bias: nil, g)
        let activated = SpatialReference.conv2d(x, k, bias: bias, g).map { max($0, 0) }
        let (dK, dX) = SpatialReference.conv2dBackward(x, k, dOut, g)
        for (backend, outputs) in [("CPU", result.cpu), ("OpenCL", result.openCL)] {
            for (what, actual, expected) in [("forward", outputs[0], plain), ("bias + ReLU", outputs[1], activated),
                                             ("kernel gradient", outputs[2], dK), ("input gradient", outputs[3], dX)] {
                let worst = worstError(actual, expected, absolute: 1e-5, relative: 1e-5)
                #expect(worst <= 1, "\(backend) \(what) of \(g): worst error \(worst)x the tolerance")
            }
        }
    }

    /// Both patch gatherers (`Im2colKernel`: a work-item per patch row for CPU devices, one per
    /// value, coalesced, for GPUs) give the same patches, so the same convolution and kernel
    /// gradient bit for bit, on whatever OpenCL device runs the tests, and the reference's
    /// values; at 70,000 images the coalesced launches split along dimension 2 as the others do.
    @Test(arguments: ConvCase.all + [ConvCase(batch: 70_000, 3, 3, 2, filters: 3, kernel: (3, 3), .same)])
    func bothIm2colKernelsAgree(_ testCase: ConvCase) throws {
        let g = testCase.geometry
        let x = TestData.values(g.inputShape.reduce(1, *), seed: 21), k = TestData.values(g.kernelShape.reduce(1, *), seed: 22)
        let dOut = TestData.values(g.outputShape.reduce(1, *), seed: 23)
        var results: [Im2colKernel: [[Float]]] = [:]
        for kernel in Im2colKernel.allCases {
            let backend = try TestBackends.openCL()
            backend.im2colKernel = kernel
            let output = try backend.zeros(g.outputShape), kernelGradient = try backend.zeros(g.kernelShape)
            let input = try backend.upload(x, shape: g.inputShape)
            try backend.conv2d(input, kernel: try backend.upload(k, shape: g.kernelShape), into: output, geometry: g,
                               epilogue: .none)
            try backend.conv2dBackward(input: input, kernel: try backend.upload(k, shape: g.kernelShape),
                                       outputGradient: try backend.upload(dOut, shape: g.outputShape), geometry: g,
                                       kernelGradient: kernelGradient, inputGradient: nil)
            results[kernel] = [try backend.read(output), try backend.read(kernelGradient)]
        }
        #expect(results[.patchRows] == results[.coalesced], "\(g)")
        let tolerance: Float = g.batch > 1000 ? 1e-3 : 1e-5  // see launchesPastTheGroupLimit
        let worst = worstError(results[.coalesced]![0], SpatialReference.conv2d(x, k, bias: nil, g), absolute: 1e-5, relative: 1e-5)
        #expect(worst <= 1, "coalesced forward of \(g): worst error \(worst)x the tolerance")
        let dK = SpatialReference.conv2dBackward(x, k, dOut, g).dK
        #expect(worstError(results[.coalesced]![1], dK, absolute: tolerance, relative: tolerance) <= 1, "coalesced kernel gradient")
    }

    /// Either gradient may be skipped; the other comes out the same as when both are asked for.
    @Test(arguments: [ConvCase.all[2], ConvCase.all[10]])
    func gradientsCanBeSkipped(_ testCase: ConvCase) throws {
        let g = testCase.geometry
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let x = try backend.upload(TestData.values(g.inputShape.reduce(1, *), seed: 11), shape: g.inputShape)
            let k = try backend.upload(TestData.values(g.kernelShape.reduce(1, *), seed: 12), shape: g.kernelShape)
            let dOut = try backend.upload(TestData.values(g.outputShape.reduce(1, *), seed: 13), shape: g.outputShape)
            let dK = try backend.zeros(g.kernelShape), dX = try backend.zeros(g.inputShape)
            let dKAlone = try backend.zeros(g.kernelShape), dXAlone = try backend.zeros(g.inputShape)
            try backend.conv2dBackward(input: x, kernel: k, outputGradient: dOut, geometry: g, kernelGradient: dK, inputGradient: dX)
            try backend.conv2dBackward(input: x, kernel: k, outputGradient: dOut, geometry: g, kernelGradient: dKAlone, inputGradient: nil)
            try backend.conv2dBackward(input: x, kernel: k, outputGradient: dOut, geometry: g, kernelGradient: nil, inputGradient: dXAlone)
            #expect(try backend.read(dKAlone) == backend.read(dK), "\(backend.kind)")
            #expect(try backend.read(dXAlone) == backend.read(dX), "\(backend.kind)")
        }
    }

    /// The scratch block grows to the largest convolution and is reused: a small convolution
    /// after a large one must not read the large one's leftovers, and the `[N, H*W*C]` view of an
    /// input (as a data batch arrives) is accepted as NHWC.
    @Test func scratchIsReusedAcrossShapes() throws {
        let cases = [ConvCase.all[13], ConvCase.all[0], ConvCase.all[9], ConvCase.all[13], ConvCase.all[4]]
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            for testCase in cases {
                let g = testCase.geometry
                let x = TestData.values(g.inputShape.reduce(1, *), seed: 21), k = TestData.values(g.kernelShape.reduce(1, *), seed: 22)
                let input = try backend.upload(x, shape: [g.batch, g.height * g.width * g.channels])
                let output = try backend.upload(TestData.values(g.outputShape.reduce(1, *), seed: 23), shape: g.outputShape)
                try backend.conv2d(input, kernel: try backend.upload(k, shape: g.kernelShape), into: output, geometry: g, epilogue: .none)
                let worst = worstError(try backend.read(output), SpatialReference.conv2d(x, k, bias: nil, g), absolute: 1e-5, relative: 1e-5)
                #expect(worst <= 1, "\(backend.kind) \(g) after other shapes: worst error \(worst)x the tolerance")
            }
        }
    }
}
