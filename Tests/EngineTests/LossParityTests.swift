import Engine
import Testing

/// OpenCL against CPU for the losses and their gradients, on odd batch and class counts.
/// Tolerance 1e-6 absolute + 1e-5 relative: log/exp and divisions in float32 on both sides.
@Suite("Loss parity, OpenCL vs CPU", .serialized)
struct LossParityTests {
    let harness: ParityHarness
    init() throws { harness = try ParityHarness() }

    static let shapes: [(Int, Int)] = [(1, 1), (1, 2), (7, 3), (13, 10), (127, 7), (257, 13), (1000, 10)]

    @Test(arguments: Loss.allCases, shapes)
    func lossAndGradients(loss: Loss, shape: (Int, Int)) throws {
        let (rows, columns) = shape
        let p = TestData.probabilities(rows: rows, columns: columns, seed: 21)
        let y = TestData.oneHot(rows: rows, columns: columns, seed: 22)
        let result = try harness.run(
            inputs: [(p, [rows, columns]), (y, [rows, columns])],
            outputs: [(TestData.values(rows, seed: 23), [rows]),
                      (TestData.values(rows * columns, seed: 24), [rows, columns]),
                      (TestData.values(rows * columns, seed: 25), [rows, columns])]
        ) { backend, ins, outs in
            try backend.loss(loss, predictions: ins[0], targets: ins[1], perSampleLoss: outs[0])
            try backend.lossGradient(loss, predictions: ins[0], targets: ins[1], withRespectTo: .predictions, into: outs[1])
            try backend.lossGradient(loss, predictions: ins[0], targets: ins[1], withRespectTo: .logits, into: outs[2])
        }
        harness.expectAgreement(result, absolute: 1e-6, relative: 1e-5, "\(loss) \(rows)x\(columns)")
    }

    /// The fused logits gradient equals the predictions gradient pushed through softmaxBackward.
    @Test(arguments: Loss.allCases)
    func fusedLogitGradientMatchesChainRule(loss: Loss) throws {
        let (rows, columns) = (13, 10)
        let p = TestData.probabilities(rows: rows, columns: columns, seed: 31)
        let y = TestData.oneHot(rows: rows, columns: columns, seed: 32)
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let probabilities = try backend.upload(p, shape: [rows, columns])
            let targets = try backend.upload(y, shape: [rows, columns])
            let fused = try backend.zeros([rows, columns])
            let viaProbabilities = try backend.zeros([rows, columns])
            let chained = try backend.zeros([rows, columns])
            try backend.lossGradient(loss, predictions: probabilities, targets: targets, withRespectTo: .logits, into: fused)
            try backend.lossGradient(loss, predictions: probabilities, targets: targets, withRespectTo: .predictions, into: viaProbabilities)
            try backend.softmaxBackward(probabilities: probabilities, probabilityGradient: viaProbabilities, into: chained)
            #expect(worstError(try backend.read(fused), try backend.read(chained), absolute: 1e-6, relative: 1e-4) <= 1,
                    "\(loss) on \(backend.kind)")
        }
    }

    /// Keras clips cross-entropy at epsilon: a zero probability for the true class costs
    /// -log(1e-7), not infinity, and its gradient is zero (the clip is flat there).
    @Test func crossEntropyClipsLikeKeras() throws {
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let p = try backend.upload([0, 1], shape: [1, 2])
            let y = try backend.upload([1, 0], shape: [1, 2])
            let l = try backend.zeros([1])
            let g = try backend.zeros([1, 2])
            try backend.loss(.categoricalCrossEntropy, predictions: p, targets: y, perSampleLoss: l)
            try backend.lossGradient(.categoricalCrossEntropy, predictions: p, targets: y, withRespectTo: .predictions, into: g)
            #expect(abs(try backend.read(l)[0] - 16.118095) < 1e-4)
            #expect(try backend.read(g) == [0, 0])
        }
    }
}
