import Engine
import Foundation
import Testing

/// The 4-5-3 network of `mlp_forward_reference.json` (PyTorch float64 autograd, cross-checked
/// with Keras): forward pass, both losses, every gradient and one Keras Adam step, computed with
/// the engine's operations on each backend. Tolerances as the fixture's README suggests for
/// float32 code: 1e-5 relative, plus 1e-6 absolute (1e-6 absolute on gradients).
@Suite("MLP fixture (PyTorch/Keras reference)", .serialized)
struct MLPFixtureTests {
    struct LossCase: Decodable {
        var z1, h1, logits, probs: [[Double]]
        var per_sample_loss: [Double]
        var loss: Double
        var dL_dlogits, dL_dprobs: [[Double]]
        var grads: Parameters
        var adamStep: Parameters

        enum CodingKeys: String, CodingKey {
            case z1, h1, logits, probs, per_sample_loss, loss, dL_dlogits, dL_dprobs, grads
            case adamStep = "keras_adam_lr1e-3_one_step"
        }
    }

    struct Parameters: Decodable {
        var W1: [[Double]], b1: [Double], W2: [[Double]], b2: [Double]
    }

    struct Fixture: Decodable {
        var W1: [[Double]], b1: [Double], W2: [[Double]], b2: [Double]
        var x: [[Double]]
        var y_true_onehot: [[Double]]
        var losses: [String: LossCase]
    }

    static func load() throws -> Fixture {
        let url = fixturesDirectory().appendingPathComponent("mlp_forward_reference.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    static let cases: [(Loss, String)] = [(.categoricalCrossEntropy, "categorical_crossentropy"),
                                          (.meanSquaredError, "mean_squared_error")]

    @Test(arguments: [BackendKind.cpu, .opencl], cases)
    func forwardGradientsAndAdam(kind: BackendKind, lossCase: (Loss, String)) throws {
        let fixture = try Self.load()
        let (loss, key) = lossCase
        let reference = try #require(fixture.losses[key])
        let backend: any Backend = kind == .cpu ? TestBackends.cpu() : try TestBackends.openCL()

        func upload(_ matrix: [[Double]]) throws -> Tensor {
            try backend.upload(matrix.flatMap { $0.map(Float.init) }, shape: [matrix.count, matrix[0].count])
        }
        func upload(_ vector: [Double]) throws -> Tensor { try backend.upload(vector.map(Float.init), shape: [vector.count]) }
        func expectClose(_ tensor: Tensor, _ expected: [Double], absolute: Float = 1e-6, _ what: String) throws {
            let worst = worstError(try backend.read(tensor), expected.map(Float.init), absolute: absolute, relative: 1e-5)
            #expect(worst <= 1, "\(what) on \(kind) with \(key): worst error \(worst)x the tolerance")
        }

        let w1 = try upload(fixture.W1), b1 = try upload(fixture.b1)
        let w2 = try upload(fixture.W2), b2 = try upload(fixture.b2)
        let x = try upload(fixture.x), y = try upload(fixture.y_true_onehot)
        let batch = fixture.x.count

        // Forward: z1 with the bias epilogue, h1 with the fused bias + ReLU epilogue.
        let z1 = try backend.zeros([batch, 5]), h1 = try backend.zeros([batch, 5])
        try backend.gemm(x, w1, into: z1, transposeA: false, transposeB: false, alpha: 1, beta: 0, epilogue: .init(bias: b1))
        try backend.gemm(x, w1, into: h1, transposeA: false, transposeB: false, alpha: 1, beta: 0,
                         epilogue: .init(bias: b1, activation: .relu))
        let logits = try backend.zeros([batch, 3]), probs = try backend.zeros([batch, 3])
        try backend.gemm(h1, w2, into: logits, transposeA: false, transposeB: false, alpha: 1, beta: 0, epilogue: .init(bias: b2))
        try backend.softmax(logits, into: probs)
        try expectClose(z1, reference.z1.flatMap { $0 }, "z1")
        try expectClose(h1, reference.h1.flatMap { $0 }, "h1")
        try expectClose(logits, reference.logits.flatMap { $0 }, "logits")
        try expectClose(probs, reference.probs.flatMap { $0 }, "probs")

        // Loss: per sample, then the batch mean through a column sum.
        let perSample = try backend.zeros([batch]), total = try backend.zeros([1])
        try backend.loss(loss, predictions: probs, targets: y, perSampleLoss: perSample)
        try backend.columnSums(try perSample.reshaped([batch, 1]), into: total, beta: 0)
        try expectClose(perSample, reference.per_sample_loss, "per-sample loss")
        #expect(abs(Double(try backend.read(total)[0]) / Double(batch) - reference.loss) < 1e-5 * max(1, reference.loss))

        // Gradients.
        let dProbs = try backend.zeros([batch, 3]), dLogits = try backend.zeros([batch, 3])
        try backend.lossGradient(loss, predictions: probs, targets: y, withRespectTo: .predictions, into: dProbs)
        try backend.lossGradient(loss, predictions: probs, targets: y, withRespectTo: .logits, into: dLogits)
        try expectClose(dProbs, reference.dL_dprobs.flatMap { $0 }, "dL/dprobs")
        try expectClose(dLogits, reference.dL_dlogits.flatMap { $0 }, "dL/dlogits")

        let dW2 = try backend.zeros([5, 3]), db2 = try backend.zeros([3])
        try backend.gemm(h1, dLogits, into: dW2, transposeA: true, transposeB: false, alpha: 1, beta: 0, epilogue: .none)
        try backend.columnSums(dLogits, into: db2, beta: 0)
        let dH1 = try backend.zeros([batch, 5]), dZ1 = try backend.zeros([batch, 5])
        try backend.gemm(dLogits, w2, into: dH1, transposeA: false, transposeB: true, alpha: 1, beta: 0, epilogue: .none)
        try backend.reluBackward(outputGradient: dH1, output: h1, into: dZ1)
        let dW1 = try backend.zeros([4, 5]), db1 = try backend.zeros([5])
        try backend.gemm(x, dZ1, into: dW1, transposeA: true, transposeB: false, alpha: 1, beta: 0, epilogue: .none)
        try backend.columnSums(dZ1, into: db1, beta: 0)
        try expectClose(dW1, reference.grads.W1.flatMap { $0 }, "dW1")
        try expectClose(db1, reference.grads.b1, "db1")
        try expectClose(dW2, reference.grads.W2.flatMap { $0 }, "dW2")
        try expectClose(db2, reference.grads.b2, "db2")

        // One Keras Adam step (lr 1e-3) from zero moments.
        for (parameter, gradient, expected) in [(w1, dW1, reference.adamStep.W1.flatMap { $0 }),
                                                (b1, db1, reference.adamStep.b1),
                                                (w2, dW2, reference.adamStep.W2.flatMap { $0 }),
                                                (b2, db2, reference.adamStep.b2)] {
            let m = try backend.zeros(parameter.shape), v = try backend.zeros(parameter.shape)
            try backend.adamStep(parameters: parameter, gradients: gradient, firstMoment: m, secondMoment: v,
                                 hyperparameters: AdamHyperparameters(learningRate: 1e-3), step: 1)
            try expectClose(parameter, expected, "Adam step of \(parameter.shape)")
        }
    }
}
