import Engine
import Learning
import Testing

/// Backpropagation against finite differences of the loss, on both backends.
///
/// float32 central differences with h = 1e-2 carry errors around 1e-4 of the gradient's scale,
/// so the check is |analytic - numeric| <= 2e-3 + 2e-2 * |numeric|: loose for rounding, far
/// too tight for a wrong transpose, a missing bias term or a gradient off by the batch size.
@Suite("Gradient check by finite differences", .serialized)
struct GradientCheckTests {
    static let cases: [(BackendKind, Loss, Activation)] = [
        (.cpu, .categoricalCrossEntropy, .tanh), (.cpu, .meanSquaredError, .sigmoid), (.cpu, .categoricalCrossEntropy, .relu),
        (.opencl, .categoricalCrossEntropy, .tanh), (.opencl, .meanSquaredError, .sigmoid), (.opencl, .meanSquaredError, .relu),
    ]

    @Test(arguments: cases)
    func gradientsMatchFiniteDifferences(kind: BackendKind, loss: Loss, activation: Activation) throws {
        let backend = try LearningTestBackends.make(kind)
        var generator = SeededGenerator(seed: 5)
        let spec = ModelSpec(inputShape: [5], layers: [
            .dense(name: "hidden_1", units: 4, activation: activation, l2: 0.01),
            .dense(name: "hidden_2", units: 3, activation: activation, l2: nil),
            .dense(name: "output", units: 3, activation: .softmax, l2: nil),
        ])
        let model = try Sequential(spec: spec, backend: backend, generator: &generator)
        let data = blobs(count: 7, features: 5, classes: 3, seed: 9)
        let x = try backend.upload(data.features, shape: [7, 5])
        let y = try backend.upload(data.targets, shape: [7, 3])

        func lossValue() throws -> Double {
            let output = try model.forward(x, training: false)
            let perSample = try backend.zeros([7])
            try backend.loss(loss, predictions: output, targets: y, perSampleLoss: perSample)
            return try backend.read(perSample).reduce(0.0) { $0 + Double($1) } / 7 + (try model.regularizationLoss())
        }

        let output = try model.forward(x, training: true)
        let gradient = try backend.zeros([7, 3])
        try backend.lossGradient(loss, predictions: output, targets: y, withRespectTo: .logits, into: gradient)
        try model.backward(lossGradient: gradient, fromLogits: true)

        try checkGradientsByFiniteDifferences(model, step: 1e-2, loss: lossValue) { name, index, analytic, numeric in
            Issue.record("\(name)[\(index)] on \(kind): analytic \(analytic), numeric \(numeric)")
        }
    }
}
