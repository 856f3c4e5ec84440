import Engine
import Testing

/// One max-pooling shape to check.
struct PoolCase: Sendable, CustomTestStringConvertible {
    let geometry: Pool2DGeometry
    init(batch: Int, _ height: Int, _ width: Int, _ channels: Int, pool: (Int, Int), stride: (Int, Int)? = nil,
         _ padding: Padding) {
        geometry = Pool2DGeometry(batch: batch, height: height, width: width, channels: channels,
                                  poolHeight: pool.0, poolWidth: pool.1, strideY: stride?.0, strideX: stride?.1,
                                  padding: padding)
    }

    var testDescription: String { geometry.description }

    /// 2x2 stride 2 on odd sizes (valid drops the last row and column, same pads them), 3x3
    /// stride 2 and stride 1 (overlapping windows), a stride larger than the pool (inputs in no
    /// window), non-square pools and strides; fewer than 16 channels (one at a time) and 16, 20,
    /// 32 (16-wide blocks, the last one overlapping for 20).
    static let all: [PoolCase] = [
        PoolCase(batch: 3, 5, 7, 3, pool: (2, 2), .valid),
        PoolCase(batch: 3, 5, 7, 3, pool: (2, 2), .same),
        PoolCase(batch: 1, 7, 7, 5, pool: (3, 3), stride: (2, 2), .valid),
        PoolCase(batch: 2, 6, 5, 5, pool: (3, 3), stride: (2, 2), .same),
        PoolCase(batch: 1, 5, 6, 2, pool: (3, 3), stride: (1, 1), .same),
        PoolCase(batch: 2, 7, 8, 3, pool: (2, 2), stride: (3, 3), .valid),
        PoolCase(batch: 1, 6, 7, 4, pool: (1, 3), stride: (2, 1), .same),
        PoolCase(batch: 2, 9, 9, 20, pool: (2, 2), .valid),
        PoolCase(batch: 1, 7, 6, 32, pool: (3, 3), stride: (2, 2), .same),
        PoolCase(batch: 2, 5, 5, 16, pool: (2, 2), .same),
        PoolCase(batch: 1, 6, 6, 17, pool: (3, 3), stride: (1, 1), .valid),
        // Past 65,535 images: the launches split along dimension 2 (see CommandQueue.enqueue).
        PoolCase(batch: 70_000, 2, 3, 2, pool: (2, 2), .same),
    ]
}

/// `maxPool2d` and `maxPool2dBackward`: OpenCL against CPU and both against a plain reference
/// (`SpatialReference`, which scatters each window's gradient to its first maximum). Maxima are
/// exact and every gradient is summed in the same window order, so all three agree exactly.
@Suite("Max pooling parity, OpenCL vs CPU and a reference", .serialized)
struct PoolingParityTests {
    let harness: ParityHarness
    init() throws { harness = try ParityHarness() }

    @Test(arguments: PoolCase.all)
    func forwardAndBackward(_ testCase: PoolCase) throws {
        try check(testCase.geometry, input: TestData.values(testCase.geometry.inputShape.reduce(1, *), seed: 31))
    }

    /// Values on a coarse grid (many ties, as after a ReLU): each window's gradient must go to
    /// the first of its tied maxima in row-major order, as TensorFlow sends it.
    @Test(arguments: [PoolCase.all[0], PoolCase.all[3], PoolCase.all[4], PoolCase.all[8], PoolCase.all[10]])
    func tiesGoToTheFirstMaximum(_ testCase: PoolCase) throws {
        let g = testCase.geometry
        let coarse = TestData.values(g.inputShape.reduce(1, *), seed: 32).map { max(($0 * 2).rounded() / 2, 0) }
        try check(g, input: coarse)
    }

    /// `throughReLU` equals the plain backward followed by the ReLU's backward, exactly, on ReLU
    /// outputs with many zeros (whole windows of zeros included), on both backends.
    @Test(arguments: [PoolCase.all[0], PoolCase.all[3], PoolCase.all[4], PoolCase.all[8], PoolCase.all[10]])
    func throughReLUEqualsPoolThenReLU(_ testCase: PoolCase) throws {
        let g = testCase.geometry
        let reluOutput = TestData.values(g.inputShape.reduce(1, *), seed: 34).map { max($0 - 0.3, 0) }
        let result = try harness.run(
            inputs: [(reluOutput, g.inputShape), (TestData.values(g.outputShape.reduce(1, *), seed: 35), g.outputShape)],
            outputs: [(TestData.values(reluOutput.count, seed: 36), g.inputShape), (TestData.values(reluOutput.count, seed: 37), g.inputShape)]
        ) { backend, ins, outs in
            let pooled = try backend.zeros(g.outputShape)
            try backend.maxPool2d(ins[0], into: pooled, geometry: g)
            try backend.maxPool2dBackward(input: ins[0], output: pooled, outputGradient: ins[1], into: outs[0],
                                          geometry: g, throughReLU: true)
            let plain = try backend.zeros(g.inputShape)
            try backend.maxPool2dBackward(input: ins[0], output: pooled, outputGradient: ins[1], into: plain, geometry: g)
            try backend.reluBackward(outputGradient: plain, output: ins[0], into: outs[1])
        }
        #expect(result.cpu[0] == result.cpu[1], "CPU: fused equals pool then ReLU")
        #expect(result.openCL[0] == result.openCL[1], "OpenCL: fused equals pool then ReLU")
        #expect(result.cpu[0] == result.openCL[0])
        #expect(result.cpu[0].contains(0) && result.cpu[0].contains { $0 != 0 })
    }

    /// The backward pass from recorded winners (`maxPool2dBackward(winners:)`) gives the
    /// gather's values exactly, on both backends: with and without a ReLU before the pooling,
    /// on coarse values (ties and whole windows of zeros), for every case whose windows do not
    /// overlap (gaps between windows, padding, 20 channels, 70,000 images).
    @Test(arguments: PoolCase.all.filter(\.geometry.windowsAreDisjoint), [false, true])
    func backwardFromWinnersEqualsTheGather(_ testCase: PoolCase, relu: Bool) throws {
        let g = testCase.geometry
        let x = TestData.values(g.inputShape.reduce(1, *), seed: 38).map { relu ? max(($0 * 2).rounded() / 2, 0) : $0 }
        let dOut = TestData.values(g.outputShape.reduce(1, *), seed: 39)
        let winners = SpatialReference.poolingWinners(x, g, relu: relu)
        let result = try harness.run(
            inputs: [(x, g.inputShape), (dOut, g.outputShape)],
            outputs: [(TestData.values(x.count, seed: 40), g.inputShape), (TestData.values(x.count, seed: 41), g.inputShape)]
        ) { backend, ins, outs in
            let pooled = try backend.zeros(g.outputShape)
            try backend.maxPool2d(ins[0], into: pooled, geometry: g)
            try backend.maxPool2dBackward(input: ins[0], output: pooled, outputGradient: ins[1], into: outs[0],
                                          geometry: g, throughReLU: relu)
            try backend.maxPool2dBackward(winners: try backend.uploadIntegers(winners, shape: g.outputShape),
                                          outputGradient: ins[1], into: outs[1], geometry: g)
        }
        for (backend, outputs) in [("CPU", result.cpu), ("OpenCL", result.openCL)] {
            #expect(differences(outputs[1], outputs[0]) == nil, "\(backend): winners against the gather")
        }
        #expect(result.cpu[1] == result.openCL[1])
        #expect(!relu || winners.contains(-1), "some windows pass no gradient")
    }

    /// Winners need windows that do not overlap, and int32 values: one line naming the problem.
    @Test func winnersOfOverlappingWindowsAreRefused() throws {
        let overlapping = PoolCase.all[2].geometry
        let disjoint = PoolCase.all[0].geometry
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let gradient = try backend.zeros(overlapping.outputShape), into = try backend.zeros(overlapping.inputShape)
            let winners = try backend.zeros(overlapping.outputShape, elementType: .int32)
            #expect(throws: EngineError.self) {
                try backend.maxPool2dBackward(winners: winners, outputGradient: gradient, into: into, geometry: overlapping)
            }
            let floats = try backend.zeros(disjoint.outputShape)
            #expect(throws: EngineError.self) {
                try backend.maxPool2dBackward(winners: floats, outputGradient: try backend.zeros(disjoint.outputShape),
                                              into: try backend.zeros(disjoint.inputShape), geometry: disjoint)
            }
        }
    }

    /// On a constant image every window's gradient lands on its top-left (clipped) position.
    @Test func constantImageSendsGradientsToTopLeft() throws {
        let g = Pool2DGeometry(batch: 1, height: 5, width: 5, channels: 1, padding: .same)
        let result = try harness.run(
            inputs: [([Float](repeating: 0.5, count: 25), g.inputShape), ([Float](repeating: 1, count: 9), g.outputShape)],
            outputs: [(TestData.values(25, seed: 33), g.inputShape)]
        ) { backend, ins, outs in
            let pooled = try backend.zeros(g.outputShape)
            try backend.maxPool2d(ins[0], into: pooled, geometry: g)
            try backend.maxPool2dBackward(input: ins[0], output: pooled, outputGradient: ins[1], into: outs[0], geometry: g)
        }
        var expected = [Float](repeating: 0, count: 25)
        for y in [0, 2, 4] { for x in [0, 2, 4] { expected[y * 5 + x] = 1 } }
        #expect(result.cpu[0] == expected)
        #expect(result.openCL[0] == expected)
    }

    private func check(_ g: Pool2DGeometry, input x: [Float]) throws {
        let outputCount = g.outputShape.reduce(1, *)
        let dOut = TestData.values(outputCount, seed: 34)
        let result = try harness.run(
            inputs: [(x, g.inputShape), (dOut, g.outputShape)],
            outputs: [(TestData.values(outputCount, seed: 35), g.outputShape), (TestData.values(x.count, seed: 36), g.inputShape)]
        ) { backend, ins, outs in
            try backend.maxPool2d(ins[0], into: outs[0], geometry: g)
            try backend.maxPool2dBackward(input: ins[0], output: outs[0], outputGradient: ins[1], into: outs[1], geometry: g)
        }
        let expected = SpatialReference.maxPool(x, outputGradient: dOut, g)
        for (backend, outputs) in [("CPU", result.cpu), ("OpenCL", result.openCL)] {
            #expect(differences(outputs[0], expected.output) == nil, "\(backend) forward of \(g)")
            #expect(differences(outputs[1], expected.inputGradient) == nil, "\(backend) backward of \(g)")
        }
    }

    /// nil when the arrays are equal, else how many values differ and the first that does
    /// (a short message instead of two arrays of hundreds of values).
    private func differences(_ actual: [Float], _ expected: [Float]) -> String? {
        let differing = actual.indices.filter { actual[$0] != expected[$0] }
        guard let first = differing.first else { return nil }
        return "\(differing.count) of \(expected.count) differ; first at \(first): \(actual[first]) vs \(expected[first])"
    }
}
