import Engine
import Foundation
import Testing

/// OpenCL against CPU for the elementwise and row/column operations, on odd shapes.
/// Tolerances: exact ops (ReLU, bias add, scale) must match to the last bit but for FMA
/// contraction, 1e-6 relative; reductions over up to 1000 rows, 1e-5 relative + 1e-6 absolute
/// (summation order is the same, FMA contraction may differ); softmax uses exp, 1e-6 + 1e-5.
@Suite("Elementwise parity, OpenCL vs CPU", .serialized)
struct ElementwiseParityTests {
    let harness: ParityHarness
    init() throws { harness = try ParityHarness() }

    @Test(arguments: oddMatrixShapes)
    func biasAdd(rows: Int, columns: Int) throws {
        let result = try harness.run(
            inputs: [(TestData.values(columns, seed: 1), [columns])],
            outputs: [(TestData.values(rows * columns, seed: 2), [rows, columns])]
        ) { backend, ins, outs in try backend.addBias(ins[0], to: outs[0]) }
        harness.expectAgreement(result, absolute: 0, relative: 1e-6, "bias add \(rows)x\(columns)")
    }

    @Test(arguments: oddSizes)
    func reluForwardAndBackward(size: Int) throws {
        let result = try harness.run(
            inputs: [(TestData.values(size, seed: 3), [size]), (TestData.values(size, seed: 4), [size])],
            outputs: [(TestData.values(size, seed: 5), [size]), (TestData.values(size, seed: 6), [size])]
        ) { backend, ins, outs in
            try backend.relu(ins[0], into: outs[0])
            try backend.reluBackward(outputGradient: ins[1], output: outs[0], into: outs[1])
        }
        harness.expectAgreement(result, absolute: 0, relative: 0, "relu \(size)")
        let expected = TestData.values(size, seed: 3).map { max($0, 0) }
        #expect(result.cpu[0] == expected)
    }

    /// tanh and sigmoid use the device's exp/tanh: 1e-6 absolute + 1e-5 relative.
    @Test(arguments: [ActivationFunction.tanh, .sigmoid], oddSizes)
    func smoothActivations(function: ActivationFunction, size: Int) throws {
        let result = try harness.run(
            inputs: [(TestData.values(size, seed: 16, in: -6..<6), [size]), (TestData.values(size, seed: 17), [size])],
            outputs: [(TestData.values(size, seed: 18), [size]), (TestData.values(size, seed: 19), [size])]
        ) { backend, ins, outs in
            try backend.activate(function, ins[0], into: outs[0])
            try backend.activationBackward(function, outputGradient: ins[1], output: outs[0], into: outs[1])
        }
        harness.expectAgreement(result, absolute: 1e-6, relative: 1e-5, "\(function) \(size)")
        // The derivative, checked by central differences on the CPU reference.
        let x = TestData.values(size, seed: 16, in: -6..<6), g = TestData.values(size, seed: 17)
        let f: (Float) -> Float = function == .tanh ? { tanhf($0) } : { 1 / (1 + expf(-$0)) }
        let h: Float = 1e-2
        let numeric = zip(x, g).map { xi, gi in gi * (f(xi + h) - f(xi - h)) / (2 * h) }
        #expect(worstError(result.cpu[1], numeric, absolute: 1e-3, relative: 1e-3) <= 1)
    }

    @Test(arguments: oddMatrixShapes)
    func argmaxMatches(rows: Int, columns: Int) throws {
        var targets = TestData.oneHot(rows: rows, columns: columns, seed: 26)
        let predictions = TestData.probabilities(rows: rows, columns: columns, seed: 27)
        // Make about half the rows correct, so both outcomes occur.
        for r in stride(from: 0, to: rows, by: 2) {
            let row = predictions[r * columns..<(r + 1) * columns]
            let best = row.indices.max { row[$0] < row[$1] }! - r * columns
            for c in 0..<columns { targets[r * columns + c] = c == best ? 1 : 0 }
        }
        let result = try harness.run(
            inputs: [(predictions, [rows, columns]), (targets, [rows, columns])],
            outputs: [(TestData.values(rows, seed: 28), [rows])]
        ) { backend, ins, outs in try backend.argmaxMatches(predictions: ins[0], targets: ins[1], into: outs[0]) }
        harness.expectAgreement(result, absolute: 0, relative: 0, "argmax \(rows)x\(columns)")
        #expect(result.cpu[0].allSatisfy { $0 == 0 || $0 == 1 })
        #expect(result.cpu[0].filter { $0 == 1 }.count >= (rows + 1) / 2)
    }

    @Test func argmaxTiesGoToTheFirstIndex() throws {
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let p = try backend.upload([0.5, 0.5, 0.2, 0.4, 0.4, 0.2], shape: [2, 3])
            let y = try backend.upload([1, 0, 0, 0, 1, 0], shape: [2, 3])
            let m = try backend.zeros([2])
            try backend.argmaxMatches(predictions: p, targets: y, into: m)
            #expect(try backend.read(m) == [1, 0])
        }
    }

    @Test(arguments: [[1, 1, 1], [3, 5, 7], [2, 13, 13, 32], [7, 26, 26, 1], [4, 257, 3]])
    func channelMeans(shape: [Int]) throws {
        let count = shape.reduce(1, *), batch = shape[0], channels = shape.last!
        let result = try harness.run(
            inputs: [(TestData.values(count, seed: 29), shape)],
            outputs: [(TestData.values(batch * channels, seed: 30), [batch, channels])]
        ) { backend, ins, outs in try backend.channelMeans(ins[0], into: outs[0]) }
        harness.expectAgreement(result, absolute: 1e-6, relative: 1e-5, "channel means \(shape)")
        let x = TestData.values(count, seed: 29), positions = count / (batch * channels)
        let expected = (0..<batch * channels).map { i -> Float in
            let (n, c) = (i / channels, i % channels)
            return Float((0..<positions).reduce(0.0) { $0 + Double(x[(n * positions + $1) * channels + c]) } / Double(positions))
        }
        #expect(worstError(result.cpu[0], expected, absolute: 1e-6, relative: 1e-5) <= 1)
    }

    @Test func reluInPlace() throws {
        let backend = harness.openCL
        let x = try backend.upload([-1, 2, -3, 4], shape: [4])
        try backend.relu(x, into: x)
        #expect(try backend.read(x) == [0, 2, 0, 4])
    }

    @Test(arguments: oddMatrixShapes)
    func columnSums(rows: Int, columns: Int) throws {
        for beta: Float in [0, 1, 0.5] {
            let result = try harness.run(
                inputs: [(TestData.values(rows * columns, seed: 7), [rows, columns])],
                outputs: [(TestData.values(columns, seed: 8), [columns])]
            ) { backend, ins, outs in try backend.columnSums(ins[0], into: outs[0], beta: beta) }
            harness.expectAgreement(result, absolute: 1e-6, relative: 1e-5, "column sums \(rows)x\(columns) beta \(beta)")
            // Against a double-precision sum, to check the CPU reference itself.
            let x = TestData.values(rows * columns, seed: 7), y0 = TestData.values(columns, seed: 8)
            let expected = (0..<columns).map { c in
                Float(Double(beta) * Double(y0[c]) + (0..<rows).reduce(0.0) { $0 + Double(x[$1 * columns + c]) })
            }
            #expect(worstError(result.cpu[0], expected, absolute: 1e-5, relative: 1e-5) <= 1)
        }
    }

    /// Tall matrices take OpenCL's two-stage path (chunks of rows, then the chunks in order):
    /// the cnn model's first bias gradient, a single long column, and one row past one chunk.
    /// Both backends against a double-precision sum, and OpenCL run twice to give the same bits
    /// (its chunking depends on the shape only).
    ///
    /// The tolerance is 1e-5 relative plus 1e-5 * sqrt(rows) absolute: sums of values in
    /// [-1, 1) cancel, and float rounding grows with the partial sums, about sqrt(rows) in size,
    /// not with the final sum, which can be near 0 (at 86528 rows both backends are off by up
    /// to ~3e-4, far beyond 1e-5 of a column whose sum is 1, and a tenth of this tolerance).
    /// `columnSumsCountEveryRowOnce` checks exactness, without rounding.
    @Test(arguments: tallMatrixShapes)
    func columnSumsOfTallMatrices(rows: Int, columns: Int) throws {
        let x = TestData.values(rows * columns, seed: 21), y0 = TestData.values(columns, seed: 22)
        let absolute = 1e-5 * Float(rows).squareRoot()
        for beta: Float in [0, 0.5] {
            let result = try tallColumnSums(x, rows: rows, columns: columns, y0: y0, beta: beta)
            let expected = doubleColumnSums(x, rows: rows, columns: columns, y0: y0, beta: beta)
            let what = "column sums \(rows)x\(columns) beta \(beta)"
            #expect(worstError(result.openCL[0], expected, absolute: absolute, relative: 1e-5) <= 1, "\(what), OpenCL")
            #expect(worstError(result.cpu[0], expected, absolute: absolute, relative: 1e-5) <= 1, "\(what), CPU")
            #expect(result.openCL[0] == result.openCL[1], "\(what): OpenCL run to run")
        }
    }

    /// Small integers sum exactly in float in any order (every partial sum is an integer below
    /// 2^24), so here each backend must give the exact sum: a row skipped or counted twice, or
    /// a chunk boundary off by one, shows as a wrong integer.
    @Test(arguments: tallMatrixShapes)
    func columnSumsCountEveryRowOnce(rows: Int, columns: Int) throws {
        let x = TestData.values(rows * columns, seed: 23).map { ($0 * 8).rounded() }
        let y0 = TestData.values(columns, seed: 24)
        for beta: Float in [0, 0.5] {
            let result = try tallColumnSums(x, rows: rows, columns: columns, y0: y0, beta: beta)
            let expected = doubleColumnSums(x, rows: rows, columns: columns, y0: y0, beta: beta)
            #expect(result.openCL[0] == expected, "column sums \(rows)x\(columns) beta \(beta), OpenCL")
            #expect(result.cpu[0] == expected, "column sums \(rows)x\(columns) beta \(beta), CPU")
        }
    }

    /// `columnSums` of `x` on both backends, twice each (into two outputs starting from `y0`).
    private func tallColumnSums(_ x: [Float], rows: Int, columns: Int, y0: [Float],
                                beta: Float) throws -> (cpu: [[Float]], openCL: [[Float]]) {
        try harness.run(inputs: [(x, [rows, columns])], outputs: [(y0, [columns]), (y0, [columns])]) { backend, ins, outs in
            try backend.columnSums(ins[0], into: outs[0], beta: beta)
            try backend.columnSums(ins[0], into: outs[1], beta: beta)
        }
    }

    /// `beta * y0 + column sums of x`, in double, rounded once to float.
    private func doubleColumnSums(_ x: [Float], rows: Int, columns: Int, y0: [Float], beta: Float) -> [Float] {
        (0..<columns).map { c in
            Float(Double(beta) * Double(y0[c]) + (0..<rows).reduce(0.0) { $0 + Double(x[$1 * columns + c]) })
        }
    }

    @Test(arguments: oddSizes)
    func scaleAndAxpby(size: Int) throws {
        let result = try harness.run(
            inputs: [(TestData.values(size, seed: 9), [size])],
            outputs: [(TestData.values(size, seed: 10), [size]), (TestData.values(size, seed: 11), [size])]
        ) { backend, ins, outs in
            try backend.scale(ins[0], by: -2.5, into: outs[0])
            try backend.axpby(alpha: 0.75, ins[0], beta: -1.25, outs[1])
        }
        harness.expectAgreement(result, absolute: 1e-7, relative: 1e-6, "scale/axpby \(size)")
        let x = TestData.values(size, seed: 9), y = TestData.values(size, seed: 11)
        #expect(worstError(result.cpu[1], zip(x, y).map { 0.75 * $0 - 1.25 * $1 }, absolute: 1e-7, relative: 1e-6) <= 1)
    }

    @Test(arguments: oddMatrixShapes)
    func softmaxForwardAndBackward(rows: Int, columns: Int) throws {
        let result = try harness.run(
            inputs: [(TestData.values(rows * columns, seed: 12, in: -20..<20), [rows, columns]),
                     (TestData.values(rows * columns, seed: 13), [rows, columns])],
            outputs: [(TestData.values(rows * columns, seed: 14), [rows, columns]),
                      (TestData.values(rows * columns, seed: 15), [rows, columns])]
        ) { backend, ins, outs in
            try backend.softmax(ins[0], into: outs[0])
            try backend.softmaxBackward(probabilities: outs[0], probabilityGradient: ins[1], into: outs[1])
        }
        harness.expectAgreement(result, absolute: 1e-6, relative: 1e-5, "softmax \(rows)x\(columns)")
        for r in 0..<rows {
            let sum = result.cpu[0][r * columns..<(r + 1) * columns].reduce(0, +)
            #expect(abs(sum - 1) < 1e-5, "softmax row \(r) sums to \(sum)")
        }
    }

    /// Both row kernels (`RowKernel`: a work-item per row, or for GPUs a work-group per long row
    /// reducing through local memory), forced on whatever OpenCL device runs the tests, against
    /// the CPU backend: rows shorter than a group (which stay one per work-item), exactly one
    /// group wide, one past it, 1,000 columns with logits up to 1,000 (the shifted exponent
    /// must keep them finite), and 70,000 rows.
    @Test(arguments: [(3, 5), (7, 64), (5, 65), (4, 1000), (70_000, 64)])
    func softmaxRowKernelsAgree(rows: Int, columns: Int) throws {
        var logits = TestData.values(rows * columns, seed: 16, in: -20..<20)
        if columns == 1000 { logits[7] = 1000; logits[1500] = 999 }
        let gradient = TestData.values(rows * columns, seed: 17)
        let cpu = harness.cpu
        let expectedP = try cpu.zeros([rows, columns]), expectedDz = try cpu.zeros([rows, columns])
        try cpu.softmax(try cpu.upload(logits, shape: [rows, columns]), into: expectedP)
        try cpu.softmaxBackward(probabilities: expectedP, probabilityGradient: try cpu.upload(gradient, shape: [rows, columns]),
                                into: expectedDz)
        for kernel in RowKernel.allCases {
            let backend = try TestBackends.openCL()
            backend.rowKernel = kernel
            let p = try backend.zeros([rows, columns]), dz = try backend.zeros([rows, columns])
            try backend.softmax(try backend.upload(logits, shape: [rows, columns]), into: p)
            try backend.softmaxBackward(probabilities: p, probabilityGradient: try backend.upload(gradient, shape: [rows, columns]),
                                        into: dz)
            let probabilities = try backend.read(p), logitGradient = try backend.read(dz)
            let expected = (p: try cpu.read(expectedP), dz: try cpu.read(expectedDz))
            #expect(probabilities.allSatisfy { $0.isFinite }, "\(kernel): finite")
            #expect(worstError(probabilities, expected.p, absolute: 1e-6, relative: 1e-5) <= 1,
                    "\(kernel) softmax \(rows)x\(columns)")
            #expect(worstError(logitGradient, expected.dz, absolute: 1e-6, relative: 1e-5) <= 1,
                    "\(kernel) softmax backward \(rows)x\(columns)")
        }
    }

    @Test func softmaxIsStableForHugeLogits() throws {
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let x = try backend.upload([1000, 1001, -1000, 0, 0, 0], shape: [2, 3])
            let y = try backend.zeros([2, 3])
            try backend.softmax(x, into: y)
            let p = try backend.read(y)
            #expect(p.allSatisfy { $0.isFinite })
            #expect(abs(p[1] - 0.7310586) < 1e-6)
            #expect(abs(p[3] - 1.0 / 3) < 1e-6)
        }
    }

    @Test func copyFillAndRead() throws {
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let a = try backend.upload([1, 2, 3, 4, 5, 6], shape: [2, 3])
            let b = try backend.zeros([3, 2])
            try backend.copy(a, to: b)
            #expect(try backend.read(b) == [1, 2, 3, 4, 5, 6])
            try backend.fill(b, with: 7)
            #expect(try backend.read(b) == [Float](repeating: 7, count: 6))
            #expect(try backend.read(try backend.zeros([0])) == [])
        }
    }
}

/// (rows, columns) pairs with more rows than one chunk of OpenCL's two-stage column sum.
private let tallMatrixShapes: [(Int, Int)] = [(86528, 32), (100_000, 1), (257, 3)]
