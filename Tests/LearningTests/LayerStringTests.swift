import Engine
import Learning
import Testing

@Suite("Layer strings")
struct LayerStringTests {
    @Test func theCNNPresetParses() throws {
        let spec = try ModelSpec.parse("conv(32,3) pool(2) dropout(0.25) flatten dropout(0.5)", inputShape: [28, 28, 1], classes: 10)
        #expect(spec.layers == [
            .conv2d(name: "conv_1", filters: 32, kernel: [3, 3], strides: [1, 1], padding: .valid, activation: .relu),
            .maxPool2d(name: "pool_1", pool: [2, 2], strides: [2, 2], padding: .valid),
            .dropout(name: "dropout_1", rate: 0.25),
            .flatten(name: "flatten"),
            .dropout(name: "dropout_2", rate: 0.5),
            .dense(name: "output", units: 10, activation: .softmax, l2: nil),
        ])
    }

    @Test func argumentsByPositionNameAndBareWord() throws {
        let spec = try ModelSpec.parse("conv(16, 3x5, stride=2, same, tanh) -> pool(3,stride=2,padding=same) -> dense(8,sigmoid)",
                                       inputShape: [28, 28, 1], classes: 3)
        #expect(spec.layers[0] == .conv2d(name: "conv_1", filters: 16, kernel: [3, 5], strides: [2, 2], padding: .same, activation: .tanh))
        #expect(spec.layers[1] == .maxPool2d(name: "pool_1", pool: [3, 3], strides: [2, 2], padding: .same))
        #expect(spec.layers[2] == .dense(name: "hidden_1", units: 8, activation: .sigmoid, l2: nil))
    }

    @Test(arguments: [
        ("", "empty"), ("conv(32)", "missing kernel size"), ("conv(0,3)", "filters must be a positive integer"),
        ("pool(2x)", "pool size must be like 3 or 3x5"), ("dropout(1.5)", "dropout rate must be in [0, 1)"),
        ("dense(8,softmax)", "activation must be"), ("conv(8,3,color=red)", "unexpected argument 'color='"),
        ("dense(8,9)", "unexpected argument '9'"), ("lstm(4)", "unknown layer 'lstm'"), ("conv(8,3", "unbalanced"),
        ("conv(4,3,padding=diagonal)", "padding must be valid or same"), ("dense(4,padding=same)", "unexpected argument 'padding='"),
    ])
    func badStringsAreExplained(text: String, message: String) {
        do {
            _ = try ModelSpec.parse(text, inputShape: [28, 28, 1], classes: 2)
            Issue.record("'\(text)' parsed")
        } catch {
            #expect("\(error)".contains(message), "'\(text)': \(error)")
        }
    }

    @Test func shapesThatCannotWorkFailWhenBuilt() throws {
        var generator = SeededGenerator(seed: 1)
        // A 7x7 kernel on a 5x5 image leaves nothing.
        let tooBig = try ModelSpec.parse("conv(4,7)", inputShape: [5, 5, 1], classes: 2)
        #expect(throws: LearningError.self) { try Sequential(spec: tooBig, backend: CPUBackend(), generator: &generator) }
        // A convolution after flatten has no image to slide over.
        let afterFlatten = try ModelSpec.parse("flatten conv(4,3)", inputShape: [8, 8, 1], classes: 2)
        #expect(throws: LearningError.self) { try Sequential(spec: afterFlatten, backend: CPUBackend(), generator: &generator) }
    }
}
