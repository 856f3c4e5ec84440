import Engine
import Learning
import Testing

/// The CNN layers inside a model: shapes, gradients by finite differences, dropout's behaviour,
/// training on both backends.
@Suite("Convolutional models", .serialized)
struct ConvolutionalModelTests {
    static let spec = ModelSpec(inputShape: [6, 5, 2], layers: [
        .conv2d(name: "conv_1", filters: 3, kernel: [3, 3], strides: [1, 1], padding: .same, activation: .tanh),
        .maxPool2d(name: "pool_1", pool: [2, 2], strides: [2, 2], padding: .valid),
        .conv2d(name: "conv_2", filters: 2, kernel: [2, 2], strides: [1, 1], padding: .valid, activation: .relu),
        .flatten(name: "flatten"),
        .dense(name: "output", units: 3, activation: .softmax, l2: nil),
    ])

    /// Images of a class-specific template plus noise: learnable, not trivially separable.
    func images(count: Int, seed: UInt64) -> TrainingData {
        var generator = SeededGenerator(seed: seed)
        let templates = (0..<3 * 60).map { _ in generator.nextFloat(in: -1..<1) }
        let features = (0..<count * 60).map { i in 0.6 * templates[(i / 60 % 3) * 60 + i % 60] + generator.nextFloat(in: -0.6..<0.6) }
        let targets = (0..<count).flatMap { i in (0..<3).map { Float($0 == i % 3 ? 1 : 0) } }
        return try! TrainingData(features: features, targets: targets, featureShape: [6, 5, 2], classes: 3)
    }

    @Test func layerShapes() throws {
        var generator = SeededGenerator(seed: 1)
        let model = try Sequential(spec: Self.spec, backend: CPUBackend(), generator: &generator)
        #expect(model.layers.map(\.outputShape) == [[6, 5, 3], [3, 2, 3], [2, 1, 2], [4], [3]])
        #expect(model.parameters.map(\.name) == ["conv_1.kernel", "conv_1.bias", "conv_2.kernel", "conv_2.bias",
                                                 "output.kernel", "output.bias"])
        #expect(model.parameters[0].value.shape == [3, 3, 2, 3])
    }

    /// A trainer summarises the model it holds, on its own backend, rather than building a
    /// second one on the CPU: the two summaries must agree, row for row and byte for byte.
    @Test(arguments: [BackendKind.cpu, .opencl])
    func aBuiltModelSummarisesAsItsSpecificationDoes(kind: BackendKind) throws {
        var generator = SeededGenerator(seed: 1)
        let model = try Sequential(spec: Self.spec, backend: try LearningTestBackends.make(kind), generator: &generator)
        let adam = OptimizerSpec.adam(AdamHyperparameters())
        let built = ModelSummary(model: model, batch: 7, optimizer: adam)
        #expect(built == (try ModelSummary(spec: Self.spec, batch: 7, optimizer: adam)))
        #expect(built.layers.map(\.outputShape) == [[6, 5, 3], [3, 2, 3], [2, 1, 2], [4], [3]])
        // conv 3x3x2x3 + 3, conv 2x2x3x2 + 2, dense 4x3 + 3.
        #expect(built.layers.map(\.parameters) == [57, 0, 26, 0, 15] && built.trainableParameters == 98)
        // Weights, gradients and Adam's two slots; 119 output values per image (90 + 18 + 4 + 4 + 3), and their gradients.
        #expect(built.parameterStateBytes == 98 * 4 * 4 && built.activationBytesPerBatch == 119 * 8 * 7)
    }

    /// Same tolerance as the dense gradient check, but a step of 1e-3: at 1e-2 some perturbations
    /// of `conv_1` switch which value wins a max-pool window, a kink the derivative does not see
    /// (both backends then disagreed with the differences, identically, by up to 4x the tolerance).
    @Test(arguments: [BackendKind.cpu, .opencl])
    func gradientsMatchFiniteDifferences(kind: BackendKind) throws {
        try expectGradientsMatchFiniteDifferences(Self.spec, features: images(count: 4, seed: 3).features, kind: kind)
    }

    /// A one-channel ReLU convolution into a max-pool (the `cnn` model's pair), on odd sizes
    /// whose last pooled row has a leftover row: the pair trains as one fused step, which the
    /// CPU backend runs with its own loops and OpenCL by parts. About 600 pre-activations and
    /// 700 pairs of window values each come within the step of a kink with a chance of about
    /// 1e-3, so a draw often has one (seeds 3 to 5 did, on both backends alike, and seed 3 with
    /// the layers unfused too); seed 6's has none.
    @Test(arguments: [BackendKind.cpu, .opencl])
    func aFusedConvolutionAndPoolingMatchFiniteDifferences(kind: BackendKind) throws {
        let spec = try ModelSpec.parse("conv(5,3) pool(2) flatten", inputShape: [7, 8, 1], classes: 3)
        var noise = SeededGenerator(seed: 6)
        let features = (0..<4 * 56).map { _ in noise.nextFloat(in: 0..<1) }
        try expectGradientsMatchFiniteDifferences(spec, features: features, kind: kind)
    }

    /// Four images of `features`, labels 0, 1, 2, 0.
    private func expectGradientsMatchFiniteDifferences(_ spec: ModelSpec, features: [Float], kind: BackendKind) throws {
        let backend = try LearningTestBackends.make(kind)
        var generator = SeededGenerator(seed: 2)
        let model = try Sequential(spec: spec, backend: backend, generator: &generator)
        let targets = (0..<4).flatMap { i in (0..<3).map { Float($0 == i % 3 ? 1 : 0) } }
        let x = try backend.upload(features, shape: [4] + spec.inputShape), y = try backend.upload(targets, shape: [4, 3])
        func lossValue() throws -> Double {
            let perSample = try backend.zeros([4])
            try backend.loss(.categoricalCrossEntropy, predictions: try model.forward(x, training: false), targets: y, perSampleLoss: perSample)
            return try backend.read(perSample).reduce(0.0) { $0 + Double($1) } / 4
        }
        let output = try model.forward(x, training: true)
        let gradient = try backend.zeros([4, 3])
        try backend.lossGradient(.categoricalCrossEntropy, predictions: output, targets: y, withRespectTo: .logits, into: gradient)
        try model.backward(lossGradient: gradient, fromLogits: true)
        try checkGradientsByFiniteDifferences(model, step: 1e-3, loss: lossValue) { name, index, analytic, numeric in
            Issue.record("\(name)[\(index)] on \(kind): analytic \(analytic), numeric \(numeric)")
        }
    }

    @Test func dropoutOnlyInTrainingAndSameOnBothBackends() throws {
        let spec = try ModelSpec.parse("dropout(0.5) flatten", inputShape: [4, 4, 2], classes: 2)
        var outputs: [[Float]] = []
        for kind in [BackendKind.cpu, .opencl] {
            let backend = try LearningTestBackends.make(kind)
            var generator = SeededGenerator(seed: 4)
            let model = try Sequential(spec: spec, backend: backend, generator: &generator)
            let x = try backend.upload([Float](repeating: 1, count: 32), shape: [1, 4, 4, 2])
            let dropout = try #require(model.layers[0] as? DropoutLayer)
            dropout.seed = 99
            let trained = try backend.read(try dropout.forward(x, training: true))
            #expect(trained.allSatisfy { $0 == 0 || $0 == 2 }, "inverted dropout scales kept values by 1 / (1 - 0.5)")
            #expect(trained.contains(0) && trained.contains(2))
            #expect(try backend.read(try dropout.forward(x, training: false)) == [Float](repeating: 1, count: 32))
            outputs.append(trained)
        }
        #expect(outputs[0] == outputs[1], "the mask is the same on both backends")
    }

    @Test(arguments: [BackendKind.cpu, .opencl])
    func learnsAndResumesExactly(kind: BackendKind) throws {
        let spec = try ModelSpec.parse("conv(4,3,same) pool(2) dropout(0.25) flatten", inputShape: [6, 5, 2], classes: 3)
        let data = images(count: 60, seed: 5)
        func configuration(_ epochs: Int) -> TrainingConfiguration {
            TrainingConfiguration(epochs: epochs, batchSize: 8, optimizer: .adam(AdamHyperparameters(learningRate: 0.01)), seed: 6)
        }
        func trainer(epochs: Int) throws -> Trainer {
            var generator = SeededGenerator(seed: 6)
            let model = try Sequential(spec: spec, backend: try LearningTestBackends.make(kind), generator: &generator)
            return try Trainer(model: model, configuration: configuration(epochs), generator: generator)
        }
        let straight = try trainer(epochs: 30)
        try straight.fit(data)
        let accuracy = try straight.evaluate(data).accuracy
        #expect(accuracy > 0.9, "accuracy \(accuracy)")
        let half = try trainer(epochs: 15)
        try half.fit(data)
        let file = temporaryFile("cnn.safetensors")
        try Checkpoint(trainer: half).write(to: file)
        let resumed = try Checkpoint.read(from: file).makeTrainer(on: try LearningTestBackends.make(kind),
                                                                  configuration: configuration(30))
        try resumed.fit(data)
        let a = try straight.model.parameters.map { try straight.model.backend.read($0.value) }
        let b = try resumed.model.parameters.map { try resumed.model.backend.read($0.value) }
        if kind == .cpu {
            #expect(a == b, "dropout seeds come from the checkpointed generator: resume is exact")
        } else {
            #expect(zip(a.joined(), b.joined()).allSatisfy { abs($0 - $1) < 1e-4 })
        }
    }

    /// A batch of signatures whose layer outputs would take more than half the memory is
    /// refused in one line, before any is computed; the same images in smaller batches are not.
    /// The batch is sized from this machine's memory: 512 feature maps of 28 x 28 per image.
    @Test func anInferenceBatchTooLargeForTheMemoryIsRefused() throws {
        let backend = CPUBackend()
        let spec = try ModelSpec.parse("conv(512,3,padding=same) flatten dense(2)", inputShape: [28, 28, 1], classes: 2)
        var generator = SeededGenerator(seed: 1)
        let model = try Sequential(spec: spec, backend: backend, generator: &generator)
        // The input and the convolution's output; the check also counts the dense layer's two values.
        let count = backend.memoryBytes / 2 / (4 * (784 + 28 * 28 * 512)) + 1
        let features = [Float](repeating: 0.5, count: count * 784)
        let error = #expect(throws: LearningError.self) {
            try model.activations(of: ["conv_1"], for: features, batchSize: count)
        }
        let message = error.map { "\($0)" } ?? ""
        #expect(message.contains("an inference batch of ") && message.contains("more than half the") && message.contains("smaller batch"),
                "\(message)")
        let some = try model.activations(of: ["conv_1"], for: Array(features.prefix(3 * 784)), batchSize: count)
        #expect(some["conv_1"]?.count == 3 * 512)
    }

    /// Without a batch size (as the study calls it), a model whose single example cannot fit is
    /// refused as too large a model, not told to use a smaller batch it has no flag for. The
    /// model: 8 maps of 40,000 x 40,000 per image, 51 GB; it is only built (its weights are a
    /// few thousand values) and given no images, so nothing that large is ever allocated.
    @Test func aModelTooLargeForOneInferenceExampleIsRefusedAsAModel() throws {
        let spec = try ModelSpec.parse("conv(8,3,padding=same) pool(100) flatten dense(2)", inputShape: [40_000, 40_000, 1], classes: 2)
        var generator = SeededGenerator(seed: 1)
        let model = try Sequential(spec: spec, backend: CPUBackend(), generator: &generator)
        let error = #expect(throws: LearningError.self) { try model.activations(of: ["conv_1"], for: []) }
        let message = error.map { "\($0)" } ?? ""
        #expect(message.contains("one example's inference pass needs about") && message.contains("use a smaller model")
                    && !message.contains("batch"), "\(message)")
    }

    @Test func featureMapSignaturesAreChannelMeans() throws {
        var generator = SeededGenerator(seed: 7)
        let model = try Sequential(spec: Self.spec, backend: CPUBackend(), generator: &generator)
        let data = images(count: 5, seed: 8)
        let means = try model.activations(of: ["conv_1", "pool_1"], for: data.features)
        #expect(means["conv_1"]?.count == 5 * 3 && means["pool_1"]?.count == 5 * 3)
        let full = try model.activations(of: ["conv_1"], for: data.features, fullFeatureMaps: true)["conv_1"]!
        #expect(full.count == 5 * 6 * 5 * 3)
        let firstMean = stride(from: 0, to: 30 * 3, by: 3).map { full[$0] }.reduce(0, +) / 30
        #expect(abs(firstMean - means["conv_1"]![0]) < 1e-5)
    }
}
