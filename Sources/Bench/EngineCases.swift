import Engine

/// The engine's cases: matrix products and the `cnn` model's convolutions, on seeded inputs.
enum EngineCases {
    /// Square products N x N x N for each of `sizes`, and the dense network's products at batch
    /// 128 (its first layer forward, that layer's weight gradient, the second layer's input
    /// gradient): few columns, where a GEMM tuned for squares can lose most of its speed.
    static func gemm(sizes: [Int]) -> [BenchCase] {
        let square = sizes.map { n in
            product(name: "GEMM \(n)", m: n, n: n, k: n, transposeA: false, transposeB: false)
        }
        return square + [
            product(name: "dense forward 128x784 . 784x32", m: 128, n: 32, k: 784, transposeA: false, transposeB: false),
            product(name: "dense weight gradient (128x784)T . 128x32", m: 784, n: 32, k: 128, transposeA: true, transposeB: false),
            product(name: "dense input gradient 128x64 . (32x64)T", m: 128, n: 32, k: 64, transposeA: false, transposeB: true),
        ]
    }

    /// `op(a) . op(b)` of an `m x k` and a `k x n` matrix, alpha 1, beta 0, no epilogue.
    static func product(name: String, m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) -> BenchCase {
        BenchCase(workload: .gemm, name: name, flops: 2 * Double(m) * Double(n) * Double(k)) { backend in
            let a = try backend.upload(BenchInputs.uniform(m * k, seed: 1), shape: transposeA ? [k, m] : [m, k])
            let b = try backend.upload(BenchInputs.uniform(k * n, seed: 2), shape: transposeB ? [n, k] : [k, n])
            let c = try backend.zeros([m, n])
            return {
                try backend.gemm(a, b, into: c, transposeA: transposeA, transposeB: transposeB, alpha: 1, beta: 0, epilogue: .none)
                try backend.synchronize()
            }
        }
    }

    /// The `cnn` model's convolution (28 x 28 x 1 -> 32 filters 3 x 3) and `cnn2`'s second one
    /// (13 x 13 x 32 -> 64), batch 128: forward with bias and ReLU, and backward to the kernel
    /// (the first layer) or to the kernel and the input (the second).
    static func conv() -> [BenchCase] {
        let first = Conv2DGeometry(batch: 128, height: 28, width: 28, channels: 1, filters: 32, kernelHeight: 3, kernelWidth: 3)
        let second = Conv2DGeometry(batch: 128, height: 13, width: 13, channels: 32, filters: 64, kernelHeight: 3, kernelWidth: 3)
        return [
            convolution("conv forward 128x28x28x1 -> 32 3x3", first, backward: false, inputGradient: false),
            convolution("conv backward 128x28x28x1 -> 32 3x3 (kernel)", first, backward: true, inputGradient: false),
            convolution("conv forward 128x13x13x32 -> 64 3x3", second, backward: false, inputGradient: false),
            convolution("conv backward 128x13x13x32 -> 64 3x3 (kernel, input)", second, backward: true, inputGradient: true),
        ]
    }

    /// One convolution case: forward, or backward to the kernel (and the input).
    static func convolution(_ name: String, _ g: Conv2DGeometry, backward: Bool, inputGradient: Bool) -> BenchCase {
        // Each product is 2 * positions * (KH * KW * C) * O operations; backward does one per gradient.
        let product = 2 * Double(g.outputPositions) * Double(g.kernelHeight * g.kernelWidth * g.channels) * Double(g.filters)
        let products = backward ? (inputGradient ? 2.0 : 1.0) : 1.0
        return BenchCase(workload: .conv, name: name, flops: product * products) { backend in
            let input = try backend.upload(BenchInputs.uniform(g.batch * g.height * g.width * g.channels, seed: 3),
                                           shape: [g.batch, g.height, g.width, g.channels])
            let kernel = try backend.upload(BenchInputs.uniform(g.kernelHeight * g.kernelWidth * g.channels * g.filters, seed: 4),
                                            shape: [g.kernelHeight, g.kernelWidth, g.channels, g.filters])
            let outputShape = [g.batch, g.outputHeight, g.outputWidth, g.filters]
            if !backward {
                let bias = try backend.upload(BenchInputs.uniform(g.filters, seed: 5), shape: [g.filters])
                let output = try backend.zeros(outputShape)
                return {
                    try backend.conv2d(input, kernel: kernel, into: output, geometry: g,
                                       epilogue: GEMMEpilogue(bias: bias, activation: .relu))
                    try backend.synchronize()
                }
            }
            let outputGradient = try backend.upload(BenchInputs.uniform(outputShape.reduce(1, *), seed: 6), shape: outputShape)
            let kernelGradient = try backend.zeros(kernel.shape)
            let inputGradientTensor = inputGradient ? try backend.zeros(input.shape) : nil
            return {
                try backend.conv2dBackward(input: input, kernel: kernel, outputGradient: outputGradient, geometry: g,
                                           kernelGradient: kernelGradient, inputGradient: inputGradientTensor)
                try backend.synchronize()
            }
        }
    }
}
