/// The checks of `SelfTest`, by family of operations: one function per family, each a list of
/// operations on odd shapes with the tolerance their arithmetic allows.
extension SelfTest {
    func memoryChecks() throws -> [Result] {
        [
            try check("copy 1031", .exact, inputs: [[1031]], output: [1031]) { try $0.copy($1[0], to: $2) },
            try check("fill 1031", .exact, inputs: [], output: [1031]) { try $0.fill($2, with: -0.375) },
        ]
    }

    func gemmChecks() throws -> [Result] {
        var results: [Result] = []
        let shapes: [(Int, Int, Int)] = [(1, 1, 1), (7, 13, 5), (127, 1, 257), (257, 13, 1000), (1000, 127, 7)]
        for (m, k, n) in shapes {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                results.append(try check("gemm \(m)x\(k)x\(n) \(ta ? "T" : "N")\(tb ? "T" : "N") bias+relu", .product,
                                         inputs: [(ta ? [k, m] : [m, k]), (tb ? [n, k] : [k, n]), [n]], output: [m, n]) { b, x, out in
                    try b.gemm(x[0], x[1], into: out, transposeA: ta, transposeB: tb, alpha: 0.5, beta: 0.25,
                               epilogue: GEMMEpilogue(bias: x[2], activation: .relu))
                })
            }
        }
        // tanh and sigmoid are not fused: the backend runs them after the product.
        for function in [ActivationFunction.tanh, .sigmoid] {
            results.append(try check("gemm 127x13x257 NN bias+\(function.rawValue)", .product,
                                     inputs: [[127, 13], [13, 257], [257]], output: [127, 257]) { b, x, out in
                try b.gemm(x[0], x[1], into: out, transposeA: false, transposeB: false, alpha: 0.5, beta: 0.25,
                           epilogue: GEMMEpilogue(bias: x[2], activation: function))
            })
        }
        return results
    }

    func reductionChecks() throws -> [Result] {
        var results: [Result] = []
        // Few rows (one pass per column), and the cnn model's first bias gradient (OpenCL sums
        // a matrix this tall in chunks of rows, then the chunks).
        for (rows, columns) in [(100, 7), (1000, 7), (86528, 32)] {
            results.append(try check("column sums \(rows)x\(columns)", rows > 1000 ? .sum(ofRows: rows) : .reduction,
                                     inputs: [[rows, columns]], output: [columns]) {
                try $0.columnSums($1[0], into: $2, beta: 1)
            })
        }
        results.append(try check("column sums 1000x7 beta 0", .reduction, inputs: [[1000, 7]], output: [7]) {
            try $0.columnSums($1[0], into: $2, beta: 0)
        })
        results.append(try check("channel means 3x7x5x11", .elementwise, inputs: [[3, 7, 5, 11]], output: [3, 11]) {
            try $0.channelMeans($1[0], into: $2)
        })
        return results
    }

    func elementwiseChecks() throws -> [Result] {
        var results = [
            try check("add bias 257x13", .exact, inputs: [[13]], output: [257, 13]) { try $0.addBias($1[0], to: $2) },
            try check("scale 1031", .exact, inputs: [[1031]], output: [1031]) { try $0.scale($1[0], by: -2.5, into: $2) },
            try check("axpby 1031", .elementwise, inputs: [[1031]], output: [1031]) {
                try $0.axpby(alpha: 0.75, $1[0], beta: -1.25, $2)
            },
            try check("multiply 1031", .exact, inputs: [[1031], [1031]], output: [1031]) {
                try $0.multiply($1[0], $1[1], into: $2)
            },
            try check("dropout mask 1031 rate 0.3", .exact, inputs: [], output: [1031]) {
                try $0.dropoutMask($2, rate: 0.3, seed: 0x5EED_F00D_C0FF_EE01)
            },
            try check("relu backward 1000", .exact, inputs: [[1000], [1000]], output: [1000]) {
                try $0.reluBackward(outputGradient: $1[0], output: $1[1], into: $2)
            },
            try check("softmax 257x13", .elementwise, inputs: [[257, 13]], output: [257, 13]) {
                try $0.softmax($1[0], into: $2)
            },
            // The probabilities are each backend's own softmax, as in training.
            try check("softmax backward 257x13", .elementwise, inputs: [[257, 13], [257, 13]], output: [257, 13]) { b, x, out in
                let p = try b.zeros([257, 13])
                try b.softmax(x[0], into: p)
                try b.softmaxBackward(probabilities: p, probabilityGradient: x[1], into: out)
            },
        ]
        for function in ActivationFunction.allCases {
            // x, dy, then y and dx (seeded noise, so an unwritten value shows).
            results.append(try check("\(function.rawValue) forward+backward 1031", .elementwise,
                                     tensors: [[1031], [1031], [1031], [1031]]) { b, x in
                try b.activate(function, x[0], into: x[2])
                try b.activationBackward(function, outputGradient: x[1], output: x[2], into: x[3])
                return [x[2], x[3]]
            })
        }
        return results
    }

    /// The odd-sized image of every spatial check: 3 images of 7 x 5 pixels, 3 channels.
    static let image = (batch: 3, height: 7, width: 5, channels: 3)

    func convolutionChecks() throws -> [Result] {
        let i = Self.image
        let geometries = [
            Conv2DGeometry(batch: i.batch, height: i.height, width: i.width, channels: i.channels, filters: 7,
                           kernelHeight: 3, kernelWidth: 3),
            Conv2DGeometry(batch: i.batch, height: i.height, width: i.width, channels: i.channels, filters: 7,
                           kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2, padding: .same),
            Conv2DGeometry(batch: i.batch, height: i.height, width: i.width, channels: i.channels, filters: 5,
                           kernelHeight: 2, kernelWidth: 3, strideY: 1, strideX: 2, padding: .same),
        ]
        var results: [Result] = []
        for g in geometries {
            let label = "\(g.kernelHeight)x\(g.kernelWidth)x\(g.filters) s\(g.strideY)x\(g.strideX) \(g.padding)"
            results.append(try check("conv2d \(label) bias+relu", .product,
                                     inputs: [g.inputShape, g.kernelShape, [g.filters]], output: g.outputShape) { b, x, out in
                try b.conv2d(x[0], kernel: x[1], into: out, geometry: g, epilogue: GEMMEpilogue(bias: x[2], activation: .relu))
            })
            // input, kernel, dOut, then the kernel and input gradients (both overwritten).
            results.append(try check("conv2d backward \(label)", .product,
                                     tensors: [g.inputShape, g.kernelShape, g.outputShape, g.kernelShape, g.inputShape]) { b, x in
                try b.conv2dBackward(input: x[0], kernel: x[1], outputGradient: x[2], geometry: g,
                                     kernelGradient: x[3], inputGradient: x[4])
                return [x[3], x[4]]
            })
        }
        return results
    }

    func poolingChecks() throws -> [Result] {
        let i = Self.image
        let geometries = [
            Pool2DGeometry(batch: i.batch, height: i.height, width: i.width, channels: i.channels),
            Pool2DGeometry(batch: i.batch, height: i.height, width: i.width, channels: i.channels,
                           poolHeight: 3, poolWidth: 3, strideY: 2, strideX: 2, padding: .same),
        ]
        var results: [Result] = []
        for g in geometries {
            let label = "\(g.poolHeight)x\(g.poolWidth) s\(g.strideY)x\(g.strideX) \(g.padding)"
            results.append(try check("maxpool \(label)", .exact, inputs: [g.inputShape], output: g.outputShape) {
                try $0.maxPool2d($1[0], into: $2, geometry: g)
            })
            // A ReLU'd input has windows of zeros, whose gradient must go to the same (first) one.
            for (rectified, throughReLU) in [(false, false), (true, false), (true, true)] {
                let variant = throughReLU ? "through relu" : rectified ? "relu'd input" : "raw input"
                results.append(try check("maxpool backward \(label) \(variant)", .elementwise,
                                         inputs: [g.inputShape, g.outputShape], output: g.inputShape) { b, x, out in
                    if rectified { try b.relu(x[0], into: x[0]) }
                    let pooled = try b.zeros(g.outputShape)
                    try b.maxPool2d(x[0], into: pooled, geometry: g)
                    try b.maxPool2dBackward(input: x[0], output: pooled, outputGradient: x[1], into: out,
                                            geometry: g, throughReLU: throughReLU)
                })
            }
        }
        return results
    }

    func lossChecks() throws -> [Result] {
        var results: [Result] = []
        for loss in Loss.allCases {
            let name = loss.rawValue
            // Predictions are each backend's own softmax of the first input, as in training.
            func predicting(_ b: any Backend, _ logits: Tensor) throws -> Tensor {
                let p = try b.zeros([127, 10])
                try b.softmax(logits, into: p)
                return p
            }
            results.append(try check("\(name) loss 127x10", .elementwise, inputs: [[127, 10], [127, 10]], output: [127]) { b, x, out in
                try b.loss(loss, predictions: predicting(b, x[0]), targets: x[1], perSampleLoss: out)
            })
            for target in [LossGradientTarget.predictions, .logits] {
                results.append(try check("\(name) gradient (\(target)) 127x10", .elementwise,
                                         inputs: [[127, 10], [127, 10]], output: [127, 10]) { b, x, out in
                    try b.lossGradient(loss, predictions: predicting(b, x[0]), targets: x[1], withRespectTo: target, into: out)
                })
            }
        }
        results.append(try check("argmax matches 127x10", .exact, inputs: [[127, 10], [127, 10]], output: [127]) {
            try $0.argmaxMatches(predictions: $1[0], targets: $1[1], into: $2)
        })
        // ReLU'd rows of 3 tie at 0 a quarter of the time: ties go to the first index everywhere.
        results.append(try check("argmax matches 127x3 ties", .exact, inputs: [[127, 3], [127, 3]], output: [127]) {
            try $0.relu($1[0], into: $1[0])
            try $0.relu($1[1], into: $1[1])
            try $0.argmaxMatches(predictions: $1[0], targets: $1[1], into: $2)
        })
        return results
    }

    func optimizerChecks() throws -> [Result] {
        var results: [Result] = []
        let sgdVariants = [("sgd", SGDHyperparameters(learningRate: 0.1)),
                           ("sgd momentum", SGDHyperparameters(learningRate: 0.1, momentum: 0.9)),
                           ("sgd nesterov", SGDHyperparameters(learningRate: 0.1, momentum: 0.9, nesterov: true))]
        for (name, hyperparameters) in sgdVariants {
            // gradients, then the parameters and velocity three steps update.
            results.append(try check("\(name) step 1031", .elementwise, tensors: [[1031], [1031], [1031]]) { b, x in
                for _ in 1...3 {
                    try b.sgdStep(parameters: x[1], gradients: x[0], velocity: x[2], hyperparameters: hyperparameters)
                }
                return [x[1], x[2]]
            })
        }
        results.append(try check("adam step 1000", .elementwise, inputs: [[1000]], output: [1000]) { b, x, w in
            let m = try b.zeros([1000]), v = try b.zeros([1000])
            for step in 1...3 {
                try b.adamStep(parameters: w, gradients: x[0], firstMoment: m, secondMoment: v,
                               hyperparameters: AdamHyperparameters(), step: step)
            }
        })
        return results
    }
}
