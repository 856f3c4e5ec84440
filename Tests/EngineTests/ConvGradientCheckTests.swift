import Engine
import Testing

/// `conv2dBackward` against central finite differences of `conv2d`, on each backend, for
/// `L = sum(R * y^2) / 2` with `y = conv2d(x, k)`, so `dL/dy = R * y`. L is quadratic in `k` and
/// in `x`, where central differences have no truncation error: what remains is float32 rounding
/// of the forward pass, about 1e-5 at h = 0.05, well inside the 1e-3 tolerance.
@Suite("Convolution gradients by finite differences", .serialized)
struct ConvGradientCheckTests {
    static let geometries = [
        // Same padding split unevenly (pad bottom/right only) with stride 2: im2col + GEMM.
        Conv2DGeometry(batch: 2, height: 5, width: 6, channels: 2, filters: 3, kernelHeight: 3, kernelWidth: 3,
                       strideY: 2, strideX: 2, padding: .same),
        // One channel: the CPU backend's direct loop.
        Conv2DGeometry(batch: 1, height: 6, width: 5, channels: 1, filters: 4, kernelHeight: 3, kernelWidth: 2),
    ]

    @Test(arguments: [BackendKind.cpu, .opencl], geometries)
    func matchesFiniteDifferences(kind: BackendKind, geometry g: Conv2DGeometry) throws {
        let backend: any Backend = kind == .cpu ? TestBackends.cpu() : try TestBackends.openCL()
        let x = TestData.values(g.inputShape.reduce(1, *), seed: 51)
        let k = TestData.values(g.kernelShape.reduce(1, *), seed: 52)
        let r = TestData.values(g.outputShape.reduce(1, *), seed: 53)
        let input = try backend.upload(x, shape: g.inputShape), kernel = try backend.upload(k, shape: g.kernelShape)
        let output = try backend.zeros(g.outputShape)

        func loss(_ x: [Float], _ k: [Float]) throws -> (value: Double, y: [Float]) {
            try backend.write(x, to: input)
            try backend.write(k, to: kernel)
            try backend.conv2d(input, kernel: kernel, into: output, geometry: g, epilogue: .none)
            let y = try backend.read(output)
            return (zip(r, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) * Double($1.1) / 2 }, y)
        }

        let y = try loss(x, k).y
        let dOut = try backend.upload(zip(r, y).map { $0 * $1 }, shape: g.outputShape)
        let dK = try backend.zeros(g.kernelShape), dX = try backend.zeros(g.inputShape)
        try backend.conv2dBackward(input: input, kernel: kernel, outputGradient: dOut, geometry: g,
                                   kernelGradient: dK, inputGradient: dX)

        let h: Float = 0.05
        // The central difference along each value, `loss` taking the perturbed values.
        func numeric(_ values: [Float], _ loss: ([Float]) throws -> Double) throws -> [Float] {
            try values.indices.map { i in
                var shifted = values
                shifted[i] = values[i] + h
                let plus = try loss(shifted)
                shifted[i] = values[i] - h
                return Float((plus - (try loss(shifted))) / Double(2 * h))
            }
        }
        let numericK = try numeric(k) { try loss(x, $0).value }
        let numericX = try numeric(x) { try loss($0, k).value }
        let worstK = worstError(try backend.read(dK), numericK, absolute: 1e-3, relative: 1e-3)
        let worstX = worstError(try backend.read(dX), numericX, absolute: 1e-3, relative: 1e-3)
        #expect(worstK <= 1, "kernel gradient on \(kind), \(g): worst error \(worstK)x the tolerance")
        #expect(worstX <= 1, "input gradient on \(kind), \(g): worst error \(worstX)x the tolerance")
    }
}
