import Engine
import Testing

/// OpenCL against CPU for the optimizer steps, several steps in a row so that moment and
/// velocity state is exercised. Tolerance 1e-6 absolute + 1e-5 relative (sqrt and division).
@Suite("Optimizer parity, OpenCL vs CPU", .serialized)
struct OptimizerParityTests {
    let harness: ParityHarness
    init() throws { harness = try ParityHarness() }

    @Test(arguments: oddSizes)
    func adamSteps(size: Int) throws {
        let h = AdamHyperparameters(learningRate: 0.01)
        let result = try harness.run(
            inputs: [(TestData.values(size, seed: 41), [size]), (TestData.values(size, seed: 42), [size])],
            outputs: [(TestData.values(size, seed: 43), [size]), ([Float](repeating: 0, count: size), [size]),
                      ([Float](repeating: 0, count: size), [size])]
        ) { backend, ins, outs in
            for step in 1...3 {
                let gradients = step % 2 == 1 ? ins[0] : ins[1]
                try backend.adamStep(parameters: outs[0], gradients: gradients, firstMoment: outs[1],
                                     secondMoment: outs[2], hyperparameters: h, step: step)
            }
        }
        harness.expectAgreement(result, absolute: 1e-6, relative: 1e-5, "adam \(size)")
    }

    @Test(arguments: [SGDHyperparameters(learningRate: 0.1),
                      SGDHyperparameters(learningRate: 0.05, momentum: 0.9),
                      SGDHyperparameters(learningRate: 0.05, momentum: 0.9, nesterov: true)])
    func sgdSteps(h: SGDHyperparameters) throws {
        for size in oddSizes {
            let result = try harness.run(
                inputs: [(TestData.values(size, seed: 51), [size])],
                outputs: [(TestData.values(size, seed: 52), [size]), ([Float](repeating: 0, count: size), [size])]
            ) { backend, ins, outs in
                for _ in 1...3 {
                    try backend.sgdStep(parameters: outs[0], gradients: ins[0], velocity: outs[1], hyperparameters: h)
                }
            }
            harness.expectAgreement(result, absolute: 1e-6, relative: 1e-5, "sgd \(h) \(size)")
        }
    }

    /// Keras SGD with momentum, worked by hand: w = 1, g = 1, lr 0.1, momentum 0.9.
    /// Step 1: v = -0.1, w = 0.9. Step 2: v = -0.19, w = 0.71. Nesterov step 1: w = 1 - 0.09 - 0.1 = 0.81.
    @Test func sgdMatchesKerasByHand() throws {
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let w = try backend.upload([1], shape: [1]), g = try backend.upload([1], shape: [1])
            let v = try backend.zeros([1])
            try backend.sgdStep(parameters: w, gradients: g, velocity: v, hyperparameters: .init(learningRate: 0.1, momentum: 0.9))
            #expect(abs(try backend.read(w)[0] - 0.9) < 1e-6)
            try backend.sgdStep(parameters: w, gradients: g, velocity: v, hyperparameters: .init(learningRate: 0.1, momentum: 0.9))
            #expect(abs(try backend.read(w)[0] - 0.71) < 1e-6)
            let wn = try backend.upload([1], shape: [1]), vn = try backend.zeros([1])
            try backend.sgdStep(parameters: wn, gradients: g, velocity: vn,
                                hyperparameters: .init(learningRate: 0.1, momentum: 0.9, nesterov: true))
            #expect(abs(try backend.read(wn)[0] - 0.81) < 1e-6)
        }
    }

    @Test func adamRejectsStepZero() throws {
        let backend = harness.cpu
        let t = try backend.zeros([3])
        #expect(throws: EngineError.self) {
            try backend.adamStep(parameters: t, gradients: t, firstMoment: t, secondMoment: t,
                                 hyperparameters: AdamHyperparameters(), step: 0)
        }
    }
}
