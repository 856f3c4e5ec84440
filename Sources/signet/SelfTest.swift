import Engine

/// The checks behind `signet selftest`: each operation on `backend` and on `reference`, same
/// seeded inputs, compared value by value within `absolute + relative * |reference|`.
struct SelfTest {
    struct Result: Encodable {
        var operation: String
        /// The worst |difference| divided by its tolerance: at most 1 passes.
        var worstError: Float
        var passed: Bool { worstError <= 1 }
    }

    let backend: any Backend
    let reference: any Backend

    func run() throws -> [Result] {
        var results: [Result] = []
        let shapes: [(Int, Int, Int)] = [(1, 1, 1), (7, 13, 5), (127, 1, 257), (257, 13, 1000), (1000, 127, 7)]
        for (m, k, n) in shapes {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                results.append(try check("gemm \(m)x\(k)x\(n) \(ta ? "T" : "N")\(tb ? "T" : "N") bias+relu",
                                         absolute: 1e-5, relative: 1e-4,
                                         inputs: [(ta ? [k, m] : [m, k]), (tb ? [n, k] : [k, n]), [n]], output: [m, n]) { b, x, out in
                    try b.gemm(x[0], x[1], into: out, transposeA: ta, transposeB: tb, alpha: 0.5, beta: 0.25,
                               epilogue: GEMMEpilogue(bias: x[2], activation: .relu))
                })
            }
        }
        results.append(try check("softmax 257x13", absolute: 1e-6, relative: 1e-5, inputs: [[257, 13]], output: [257, 13]) {
            try $0.softmax($1[0], into: $2)
        })
        results.append(try check("column sums 1000x7", absolute: 1e-5, relative: 1e-5, inputs: [[1000, 7]], output: [7]) {
            try $0.columnSums($1[0], into: $2, beta: 1)
        })
        results.append(try check("relu backward 1000", absolute: 0, relative: 0, inputs: [[1000], [1000]], output: [1000]) {
            try $0.reluBackward(outputGradient: $1[0], output: $1[1], into: $2)
        })
        for loss in Loss.allCases {
            results.append(try check("\(loss.rawValue) gradient (logits) 127x10", absolute: 1e-6, relative: 1e-5,
                                     inputs: [[127, 10], [127, 10]], output: [127, 10]) { b, x, out in
                let p = try b.zeros([127, 10])
                try b.softmax(x[0], into: p)
                try b.lossGradient(loss, predictions: p, targets: x[1], withRespectTo: .logits, into: out)
            })
        }
        results.append(try check("adam step 1000", absolute: 1e-6, relative: 1e-5, inputs: [[1000]], output: [1000]) { b, x, w in
            let m = try b.zeros([1000]), v = try b.zeros([1000])
            for step in 1...3 {
                try b.adamStep(parameters: w, gradients: x[0], firstMoment: m, secondMoment: v,
                               hyperparameters: AdamHyperparameters(), step: step)
            }
        })
        return results
    }

    /// Runs `operation` on both backends from the same seeded inputs and initial output.
    private func check(_ name: String, absolute: Float, relative: Float, inputs: [[Int]], output: [Int],
                       _ operation: (any Backend, [Tensor], Tensor) throws -> Void) throws -> Result {
        var generator = SeededGenerator(seed: UInt64(name.utf8.reduce(0) { $0 &* 31 &+ Int($1) }.magnitude))
        let inputValues = inputs.map { shape in (0..<shape.reduce(1, *)).map { _ in generator.nextFloat(in: -1..<1) } }
        let outputValues = (0..<output.reduce(1, *)).map { _ in generator.nextFloat(in: -1..<1) }
        func outcome(_ b: any Backend) throws -> [Float] {
            let tensors = try zip(inputValues, inputs).map { try b.upload($0, shape: $1) }
            let out = try b.upload(outputValues, shape: output)
            try operation(b, tensors, out)
            return try b.read(out)
        }
        let expected = try outcome(reference), actual = try outcome(backend)
        var worst: Float = 0
        for (a, e) in zip(actual, expected) {
            let error = abs(a - e) / max(absolute + relative * abs(e), .leastNonzeroMagnitude)
            worst = max(worst, a.isNaN || e.isNaN ? .infinity : (a == e ? 0 : error))
        }
        return Result(operation: name, worstError: worst)
    }
}
