import Engine
import Testing

/// One convolution + max-pool pair to check.
struct ConvPoolCase: Sendable, CustomTestStringConvertible {
    let convolution: Conv2DGeometry
    let pooling: Pool2DGeometry
    init(batch: Int, _ height: Int, _ width: Int, _ channels: Int, filters: Int, kernel: (Int, Int), _ convPadding: Padding,
         pool: (Int, Int), stride: (Int, Int)? = nil, _ poolPadding: Padding) {
        convolution = Conv2DGeometry(batch: batch, height: height, width: width, channels: channels, filters: filters,
                                     kernelHeight: kernel.0, kernelWidth: kernel.1, padding: convPadding)
        pooling = Pool2DGeometry(batch: batch, height: convolution.outputHeight, width: convolution.outputWidth,
                                 channels: filters, poolHeight: pool.0, poolWidth: pool.1, strideY: stride?.0,
                                 strideX: stride?.1, padding: poolPadding)
    }

    var testDescription: String { "\(convolution) then \(pooling)" }

    /// The CPU backend's fused loops (one channel, windows that do not overlap): the `cnn`
    /// model's pair at a small batch, odd sizes whose last pooled band has a leftover row
    /// (valid) or a padded one (same), a stride past the pool (rows in no window), 5x5 kernels
    /// (taps in three groups), 7, 17 and 20 filters (blocks and remainders), a 7x7 kernel (49
    /// taps: OpenCL's fused kernels take at most 25). Then pairs the CPU backend runs by parts:
    /// overlapping windows and several channels. Last, 3x3 windows clipped by padding, whose
    /// up to nine positions OpenCL's winners kernel searches four at a time, and 40 filters
    /// with 5x5 taps: three blocks of 16, which OpenCL's backward kernel takes in pairs.
    static let all: [ConvPoolCase] = [
        ConvPoolCase(batch: 3, 10, 10, 1, filters: 32, kernel: (3, 3), .valid, pool: (2, 2), .valid),
        ConvPoolCase(batch: 2, 9, 8, 1, filters: 17, kernel: (3, 3), .valid, pool: (2, 2), .valid),
        ConvPoolCase(batch: 2, 9, 8, 1, filters: 20, kernel: (3, 3), .same, pool: (2, 2), .same),
        ConvPoolCase(batch: 1, 11, 9, 1, filters: 7, kernel: (5, 5), .same, pool: (2, 3), stride: (3, 3), .valid),
        ConvPoolCase(batch: 2, 7, 7, 1, filters: 16, kernel: (3, 3), .same, pool: (3, 3), stride: (2, 2), .same),
        ConvPoolCase(batch: 1, 12, 11, 1, filters: 16, kernel: (7, 7), .valid, pool: (2, 2), .valid),
        ConvPoolCase(batch: 2, 8, 8, 3, filters: 16, kernel: (3, 3), .valid, pool: (2, 2), .valid),
        ConvPoolCase(batch: 2, 10, 11, 1, filters: 20, kernel: (3, 3), .same, pool: (3, 3), stride: (3, 3), .same),
        ConvPoolCase(batch: 2, 9, 9, 1, filters: 40, kernel: (5, 5), .valid, pool: (2, 2), .valid),
    ]
}

/// `conv2dMaxPool` and `conv2dMaxPoolBackward` against the operations they fuse, run one by
/// one on the same backend, and OpenCL (fused kernels on CPU devices, by parts on GPUs and for
/// the other pairs) against the CPU backend.
@Suite("Convolution + max-pool fusion, against the parts and across backends", .serialized)
struct ConvolutionPoolingParityTests {
    let harness: ParityHarness
    init() throws { harness = try ParityHarness() }

    /// `recordingWinners`: the forward pass is asked for winners, as a training step asks. Where
    /// it records them (the fused passes), `convolved` is not written and the backward pass
    /// reads the winners: pooled and the gradients must still be the parts' values, and the
    /// winners those found in the parts' convolution.
    @Test(arguments: ConvPoolCase.all, [(relu: true, recordingWinners: false), (relu: false, recordingWinners: false),
                                        (relu: true, recordingWinners: true), (relu: false, recordingWinners: true)])
    func fusedEqualsTheParts(_ testCase: ConvPoolCase, mode: (relu: Bool, recordingWinners: Bool)) throws {
        let c = testCase.convolution, p = testCase.pooling, relu = mode.relu
        let x = TestData.values(c.inputShape.reduce(1, *), seed: 41), k = TestData.values(c.kernelShape.reduce(1, *), seed: 42)
        let bias = TestData.values(c.filters, seed: 43), dPooled = TestData.values(p.outputShape.reduce(1, *), seed: 44)
        let shapes = [c.outputShape, p.outputShape, c.kernelShape, [c.filters]]
        let outputs = (shapes + shapes + [p.outputShape, p.outputShape]).enumerated().map { index, shape in
            (TestData.values(shape.reduce(1, *), seed: UInt64(50 + index)), shape)
        }
        var recorded: [BackendKind: Bool] = [:]
        let result = try harness.run(
            inputs: [(x, c.inputShape), (k, c.kernelShape), (bias, [c.filters]), (dPooled, p.outputShape)], outputs: outputs
        ) { backend, ins, outs in
            let epilogue = GEMMEpilogue(bias: ins[2], activation: relu ? .relu : nil)
            let winners = mode.recordingWinners ? try backend.zeros(p.outputShape, elementType: .int32) : nil
            let didRecord = try backend.conv2dMaxPool(ins[0], kernel: ins[1], epilogue: epilogue, convolved: outs[0],
                                                      pooled: outs[1], winners: winners, convolution: c, pooling: p)
            recorded[backend.kind] = didRecord
            try backend.conv2dMaxPoolBackward(
                input: ins[0], kernel: ins[1], convolved: outs[0], pooled: outs[1], winners: didRecord ? winners : nil,
                pooledGradient: ins[3], convolution: c, pooling: p, throughReLU: relu, kernelGradient: outs[2],
                biasGradient: outs[3], inputGradient: nil, convolvedGradient: try backend.zeros(c.outputShape))
            // The same by parts.
            try backend.conv2d(ins[0], kernel: ins[1], into: outs[4], geometry: c, epilogue: epilogue)
            try backend.maxPool2d(outs[4], into: outs[5], geometry: p)
            let dConvolved = try backend.zeros(c.outputShape)
            try backend.maxPool2dBackward(input: outs[4], output: outs[5], outputGradient: ins[3], into: dConvolved,
                                          geometry: p, throughReLU: relu)
            try backend.conv2dBackward(input: ins[0], kernel: ins[1], outputGradient: dConvolved, geometry: c,
                                       kernelGradient: outs[6], inputGradient: nil)
            try backend.columnSums(try dConvolved.reshaped([c.outputPositions, c.filters]), into: outs[7], beta: 0)
            if let winners, didRecord {
                // `convolved` is unspecified after recording: the parts' stands in for it below.
                try backend.copy(outs[4], to: outs[0])
                try backend.write(try backend.readIntegers(winners).map(Float.init), to: outs[9])
            }
            // The pooling of the fused pass's own convolution.
            try backend.maxPool2d(outs[0], into: outs[8], geometry: p)
        }
        // The CPU backend fuses one channel with disjoint windows; OpenCL does on CPU devices
        // for 16 filters or more and at most 25 taps (GPUs by parts).
        let fusable = mode.recordingWinners && c.channels == 1 && p.windowsAreDisjoint
        #expect(recorded[.cpu] == fusable, "CPU: recorded winners")
        if harness.openCL.device.kind == .cpu {
            #expect(recorded[.opencl] == (fusable && c.filters >= 16 && c.patchSize <= 25), "OpenCL: recorded winners")
        }
        // The CPU backend's fused pass runs the same loops as its parts, so its forward values
        // agree exactly; OpenCL's fused kernel sums the taps directly, its parts through a GEMM.
        #expect(result.cpu[0] == result.cpu[4] && result.cpu[1] == result.cpu[5], "CPU: convolved and pooled")
        for (name, outputs, kind) in [("CPU", result.cpu, BackendKind.cpu), ("OpenCL", result.openCL, .opencl)] {
            if recorded[kind] == true {
                // Winners from the parts' convolution: exact on the CPU (the same sums), and on
                // OpenCL too, these values having no near ties.
                #expect(outputs[9] == SpatialReference.poolingWinners(outputs[4], p, relu: relu).map(Float.init), "\(name): winners")
            } else {
                #expect(outputs[1] == outputs[8], "\(name): pooled is the pooling of convolved")
            }
            for (what, fused, parts) in [("convolved", outputs[0], outputs[4]), ("pooled", outputs[1], outputs[5]),
                                         ("kernel gradient", outputs[2], outputs[6]), ("bias gradient", outputs[3], outputs[7])] {
                let worst = worstError(fused, parts, absolute: 1e-5, relative: 1e-5)
                #expect(worst <= 1, "\(name) \(what): worst error \(worst)x the tolerance")
            }
        }
        // Pooled 8 (the pooling of convolved) and the winners are compared above, per backend.
        var comparable = result
        for index in [8, 9] {
            comparable.cpu[index] = []
            comparable.openCL[index] = []
        }
        harness.expectAgreement(comparable, absolute: 1e-5, relative: 1e-5, "\(testCase)")
        // Nothing left unwritten: the pooled gradient reaches every filter's kernel and bias.
        #expect(result.cpu[2].allSatisfy { $0 != 0 } && result.cpu[3].allSatisfy { $0 != 0 })
    }

    /// Each gradient may be skipped, and the input gradient asked for (the backends then work
    /// by parts, from the recorded winners where there are some): the rest come out as when all
    /// are asked for.
    @Test(arguments: [ConvPoolCase.all[0], ConvPoolCase.all[6]], [false, true])
    func gradientsCanBeSkippedOrAdded(_ testCase: ConvPoolCase, recordingWinners: Bool) throws {
        let c = testCase.convolution, p = testCase.pooling
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let x = try backend.upload(TestData.values(c.inputShape.reduce(1, *), seed: 61), shape: c.inputShape)
            let k = try backend.upload(TestData.values(c.kernelShape.reduce(1, *), seed: 62), shape: c.kernelShape)
            let dPooled = try backend.upload(TestData.values(p.outputShape.reduce(1, *), seed: 63), shape: p.outputShape)
            let convolved = try backend.zeros(c.outputShape), pooled = try backend.zeros(p.outputShape)
            let winners = recordingWinners ? try backend.zeros(p.outputShape, elementType: .int32) : nil
            let recorded = try backend.conv2dMaxPool(x, kernel: k, epilogue: GEMMEpilogue(bias: nil, activation: .relu),
                                                     convolved: convolved, pooled: pooled, winners: winners,
                                                     convolution: c, pooling: p)
            func backward(kernel dK: Tensor?, bias dB: Tensor?, input dX: Tensor?) throws {
                try backend.conv2dMaxPoolBackward(
                    input: x, kernel: k, convolved: convolved, pooled: pooled, winners: recorded ? winners : nil,
                    pooledGradient: dPooled, convolution: c, pooling: p, throughReLU: true, kernelGradient: dK,
                    biasGradient: dB, inputGradient: dX, convolvedGradient: try backend.zeros(c.outputShape))
            }
            let dK = try backend.zeros(c.kernelShape), dB = try backend.zeros([c.filters])
            try backward(kernel: dK, bias: dB, input: nil)
            let dKAlone = try backend.zeros(c.kernelShape), dBAlone = try backend.zeros([c.filters])
            try backward(kernel: dKAlone, bias: nil, input: nil)
            try backward(kernel: nil, bias: dBAlone, input: nil)
            #expect(try backend.read(dKAlone) == backend.read(dK), "\(backend.kind)")
            #expect(try backend.read(dBAlone) == backend.read(dB), "\(backend.kind)")
            let dKWithInput = try backend.zeros(c.kernelShape), dBWithInput = try backend.zeros([c.filters])
            let dX = try backend.zeros(c.inputShape)
            try backward(kernel: dKWithInput, bias: dBWithInput, input: dX)
            let tolerance: (Float, Float) = (1e-5, 1e-5)
            #expect(worstError(try backend.read(dKWithInput), try backend.read(dK), absolute: tolerance.0, relative: tolerance.1) <= 1)
            #expect(worstError(try backend.read(dBWithInput), try backend.read(dB), absolute: tolerance.0, relative: tolerance.1) <= 1)
            #expect(try backend.read(dX).contains { $0 != 0 }, "\(backend.kind): an input gradient")
        }
    }

    /// A pooling that does not pool the convolution's output is refused, naming both shapes.
    @Test func aMismatchedPoolingIsRefused() throws {
        let c = ConvPoolCase.all[0].convolution
        let wrong = Pool2DGeometry(batch: c.batch, height: c.outputHeight + 1, width: c.outputWidth, channels: c.filters)
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let x = try backend.zeros(c.inputShape), k = try backend.zeros(c.kernelShape)
            let convolved = try backend.zeros(c.outputShape), pooled = try backend.zeros(wrong.outputShape)
            #expect(throws: EngineError.self) {
                try backend.conv2dMaxPool(x, kernel: k, epilogue: .none, convolved: convolved, pooled: pooled,
                                          winners: nil, convolution: c, pooling: wrong)
            }
        }
    }
}
