import Engine
import Testing

/// Output sizes and padding as Keras / TensorFlow define them, and the operand checks that both
/// backends share for convolution, pooling and dropout.
@Suite("Convolution and pooling geometry", .serialized)
struct SpatialGeometryTests {
    /// (input, window, stride, padding) -> (output, padding before), from TensorFlow's formulas:
    /// valid `floor((in - k) / s) + 1`; same `ceil(in / s)`, total `max((out - 1) * s + k - in, 0)`,
    /// half of it (rounded down) before.
    @Test func outputSizesAndPadding() {
        let cases: [(Int, Int, Int, Padding, Int, Int)] = [
            (28, 3, 1, .valid, 26, 0), (13, 3, 1, .valid, 11, 0), (26, 2, 2, .valid, 13, 0), (11, 2, 2, .valid, 5, 0),
            (5, 3, 2, .valid, 2, 0), (2, 3, 1, .valid, 0, 0),
            (28, 3, 1, .same, 28, 1), (28, 3, 2, .same, 14, 0), (5, 3, 2, .same, 3, 1), (7, 5, 1, .same, 7, 2),
            (6, 2, 2, .same, 3, 0), (5, 2, 2, .same, 3, 0), (4, 5, 1, .same, 4, 2), (8, 3, 2, .same, 4, 0),
            (7, 1, 2, .same, 4, 0), (1, 3, 1, .same, 1, 1),
        ]
        for (input, window, stride, padding, output, before) in cases {
            #expect(padding.outputSize(input: input, window: window, stride: stride) == output, "\(input) \(window) \(stride) \(padding)")
            #expect(padding.paddingBefore(input: input, window: window, stride: stride) == before, "\(input) \(window) \(stride) \(padding)")
        }
    }

    @Test func cnnShapes() throws {
        let first = Conv2DGeometry(batch: 128, height: 28, width: 28, channels: 1, filters: 32, kernelHeight: 3, kernelWidth: 3)
        #expect(first.outputShape == [128, 26, 26, 32])
        #expect(first.kernelShape == [3, 3, 1, 32])
        #expect(first.patchSize == 9 && first.outputPositions == 86_528)
        let pool = Pool2DGeometry(batch: 128, height: 26, width: 26, channels: 32)
        #expect(pool.strideY == 2 && pool.strideX == 2)
        #expect(pool.outputShape == [128, 13, 13, 32])
        let second = Conv2DGeometry(batch: 128, height: 13, width: 13, channels: 32, filters: 64, kernelHeight: 3, kernelWidth: 3)
        #expect(second.outputPositions == 15_488 && second.patchSize == 288)
        #expect(second.withBatch(7).outputShape == [7, 11, 11, 64])
        let same = Conv2DGeometry(batch: 1, height: 8, width: 7, channels: 1, filters: 1, kernelHeight: 3, kernelWidth: 2,
                                  strideY: 2, strideX: 1, padding: .same)
        #expect((same.outputHeight, same.outputWidth, same.padTop, same.padLeft) == (4, 7, 0, 0))
    }

    @Test func invalidGeometriesAreRejected() {
        let bad = [
            Conv2DGeometry(batch: 1, height: 5, width: 5, channels: 1, filters: 1, kernelHeight: 3, kernelWidth: 3, strideY: 0),
            Conv2DGeometry(batch: 0, height: 5, width: 5, channels: 1, filters: 1, kernelHeight: 3, kernelWidth: 3),
            Conv2DGeometry(batch: 1, height: 5, width: 5, channels: 1, filters: -2, kernelHeight: 3, kernelWidth: 3),
            Conv2DGeometry(batch: 1, height: 2, width: 5, channels: 1, filters: 1, kernelHeight: 3, kernelWidth: 3),
        ]
        for geometry in bad {
            #expect(throws: EngineError.self) { try geometry.validate() }
        }
        #expect(throws: EngineError.self) {
            try Pool2DGeometry(batch: 1, height: 1, width: 5, channels: 1, poolHeight: 2, poolWidth: 2).validate()
        }
        #expect(throws: Never.self) {
            try Pool2DGeometry(batch: 1, height: 1, width: 5, channels: 1, poolHeight: 2, poolWidth: 2, padding: .same).validate()
        }
    }

    /// Both backends reject the same operands with the same error.
    @Test(arguments: [BackendKind.cpu, .opencl])
    func operandChecks(kind: BackendKind) throws {
        let backend: any Backend = kind == .cpu ? TestBackends.cpu() : try TestBackends.openCL()
        let g = Conv2DGeometry(batch: 2, height: 5, width: 5, channels: 3, filters: 4, kernelHeight: 3, kernelWidth: 3)
        let x = try backend.zeros(g.inputShape), k = try backend.zeros(g.kernelShape), y = try backend.zeros(g.outputShape)
        func expectMismatch(_ body: () throws -> Void) {
            #expect { try body() } throws: { error in
                if case EngineError.shapeMismatch = error { return true }
                return false
            }
        }
        expectMismatch { try backend.conv2d(x, kernel: try backend.zeros([3, 3, 3, 5]), into: y, geometry: g, epilogue: .none) }
        expectMismatch { try backend.conv2d(x, kernel: k, into: try backend.zeros([2, 4, 4, 4]), geometry: g, epilogue: .none) }
        expectMismatch { try backend.conv2d(x, kernel: k, into: y, geometry: g, epilogue: GEMMEpilogue(bias: try backend.zeros([3]))) }
        expectMismatch {
            try backend.conv2dBackward(input: x, kernel: k, outputGradient: y, geometry: g, kernelGradient: nil,
                                       inputGradient: try backend.zeros([2, 5, 5]))
        }
        #expect(throws: EngineError.invalidArgument(operation: "conv2d", detail: "strideX must be positive, got 0")) {
            var zeroStride = g
            zeroStride.strideX = 0
            try backend.conv2d(x, kernel: k, into: y, geometry: zeroStride, epilogue: .none)
        }
        let pool = Pool2DGeometry(batch: 2, height: 5, width: 5, channels: 3)
        expectMismatch { try backend.maxPool2d(x, into: try backend.zeros([2, 3, 3, 3]), geometry: pool) }
        for rate: Float in [-0.1, 1, .nan] {
            #expect(throws: EngineError.self) { try backend.dropoutMask(y, rate: rate, seed: 1) }
        }
        expectMismatch { try backend.multiply(x, y, into: x) }
        #expect(throws: EngineError.foreignTensor(operation: "conv2d")) {
            try backend.conv2d(TestBackends.cpu().zeros(g.inputShape), kernel: k, into: y, geometry: g, epilogue: .none)
        }
    }
}
