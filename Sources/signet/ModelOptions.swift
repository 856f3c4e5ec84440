import ArgumentParser
import Engine
import Learning

/// The model and how it is trained: every flag optional, so a preset fills what is not given.
struct ModelOptions: ParsableArguments {
    @Option(help: "A preset: original (the 2021 study) or modern. Explicit flags override it.")
    var preset: Preset?

    /// Parsed (and a model file read) once, as the flag is: every use below sees the same model.
    @Option(help: ArgumentHelp(
        "mlp (the study's dense network), cnn, cnn2, cnn-sig, a layer string such as 'conv(32,3) pool(2) flatten dense(64)', "
            + "or a model file (a path that exists is always read as one). (default: mlp)",
        valueName: "model"), transform: { try ModelChoice($0) })
    var model: ModelChoice = .multilayerPerceptron

    @Option(help: ArgumentHelp("Hidden layer sizes, e.g. 32,64.", valueName: "sizes"))
    var hidden: String?

    @Option(name: .customLong("activation"), help: "Hidden activation of the dense network (default: relu).")
    var activationFlag: Activation?

    @Option(help: "Loss: ce (categorical cross-entropy) or mse (mean squared error).")
    var loss: Loss?

    @Option(help: "Optimizer: adam or sgd.")
    var optimizer: OptimizerName?

    @Option(name: .customLong("lr"), help: ArgumentHelp("Learning rate.", valueName: "rate"))
    var learningRate: Float?

    @Option(help: "SGD momentum (Keras default 0).")
    var momentum: Float?

    @Flag(help: "Nesterov momentum for SGD.")
    var nesterov = false

    @Option(help: ArgumentHelp("L2 weight regularization factor for every dense kernel.", valueName: "factor"))
    var l2: Float?

    @Option(name: .customLong("batch"), help: ArgumentHelp("Batch size.", valueName: "n"))
    var batchSize: Int?

    @Option(help: "Epochs to train.")
    var epochs: Int?

    @Option(name: .customLong("seed"), help: "Random seed: initialization, shuffling and random selection (default: 1).")
    var seedFlag: UInt64?

    var seed: UInt64 { seedFlag ?? 1 }
    var activation: Activation { activationFlag ?? .relu }

    @Option(name: .customLong("validation-split"),
            help: ArgumentHelp("Hold out this fraction of the training images (the last ones) for validation.", valueName: "fraction"))
    var validationSplit: Double?

    @Flag(name: .customLong("validate-on-test"), help: "Validate every epoch on the test images (Keras's validation_data).")
    var validateOnTest = false

    @Option(help: ArgumentHelp("Early stopping: stop when the validation loss has not improved for this many epochs.", valueName: "epochs"))
    var patience: Int?

    /// The flags given, by name, in `--help`'s order: what a command that takes its model and
    /// training from elsewhere (a checkpoint, a journal) refuses, each by its name.
    var givenFlags: [String] {
        let given: [(String, Bool)] = [
            ("--preset", preset != nil), ("--model", model != .multilayerPerceptron), ("--hidden", hidden != nil),
            ("--activation", activationFlag != nil), ("--loss", loss != nil), ("--optimizer", optimizer != nil),
            ("--lr", learningRate != nil), ("--momentum", momentum != nil), ("--nesterov", nesterov), ("--l2", l2 != nil),
            ("--batch", batchSize != nil), ("--epochs", epochs != nil), ("--seed", seedFlag != nil),
            ("--validation-split", validationSplit != nil), ("--validate-on-test", validateOnTest), ("--patience", patience != nil),
        ]
        return given.filter(\.1).map(\.0)
    }

    /// The settings in force before flags: the preset's, else the model's own defaults.
    var settings: Preset.Settings { settings(defaultPreset: nil) }

    /// The settings in force before flags when a command has a preset of its own for the dense
    /// network (`signet study` reproduces `original`): `--preset`, else that preset for
    /// `--model mlp`, else the model's own defaults.
    func settings(defaultPreset: Preset?) -> Preset.Settings {
        (preset ?? (model == .multilayerPerceptron ? defaultPreset : nil))?.settings ?? model.defaultSettings
    }

    /// The hidden sizes in force.
    func hiddenSizes(defaultPreset: Preset? = nil) throws -> [Int] {
        guard let hidden else { return settings(defaultPreset: defaultPreset).hidden }
        let sizes = hidden.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--hidden takes positive sizes separated by commas, e.g. 32,64; got '\(hidden)'")
        }
        return sizes.map { $0! }
    }

    func validate() throws {
        let choice = model
        if choice.isConvolutional, hidden != nil {
            throw ValidationError("--hidden shapes the dense network (--model mlp); describe a CNN's dense layers in its layer string")
        }
        if case .layers = choice {
            // Parse now, with any class count, so a bad layer string fails before data is loaded.
            do { _ = try choice.spec(hidden: [], activation: activation, l2: l2, classes: 2) } catch {
                throw ValidationError("--model: \(error)")
            }
        }
        _ = try hiddenSizes()
        if let learningRate, !(learningRate > 0 && learningRate.isFinite) {
            throw ValidationError("--lr must be a positive number, got \(learningRate)")
        }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch must be at least 1, got \(batchSize)") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if let l2, !(l2 >= 0 && l2.isFinite) { throw ValidationError("--l2 must be >= 0, got \(l2)") }
        if let momentum, momentum < 0 { throw ValidationError("--momentum must be >= 0, got \(momentum)") }
        if choice.isConvolutional, activationFlag != nil {
            throw ValidationError("--activation shapes the dense network (--model mlp); give a CNN's activations in its layer string")
        }
        if (optimizer ?? settings.optimizer) != .sgd, momentum != nil || nesterov {
            throw ValidationError("--momentum and --nesterov are SGD settings; add --optimizer sgd")
        }
        if validationSplit != nil && validateOnTest {
            throw ValidationError("choose --validation-split or --validate-on-test, not both")
        }
        if let validationSplit, !(validationSplit > 0 && validationSplit < 1) {
            throw ValidationError("--validation-split must be between 0 and 1, got \(validationSplit)")
        }
        if let patience {
            guard patience >= 1 else { throw ValidationError("--patience must be at least 1, got \(patience)") }
            guard validationSplit != nil || validateOnTest else {
                throw ValidationError("--patience needs --validation-split or --validate-on-test (early stopping watches the validation loss)")
            }
        }
    }

    /// The training settings in force: flags, else the preset, else the defaults.
    func trainingConfiguration(defaultPreset: Preset? = nil) -> TrainingConfiguration {
        let settings = settings(defaultPreset: defaultPreset)
        let rate = learningRate ?? settings.learningRate
        let optimizerSpec: OptimizerSpec = (optimizer ?? settings.optimizer) == .adam
            ? .adam(AdamHyperparameters(learningRate: rate))
            : .sgd(SGDHyperparameters(learningRate: rate, momentum: momentum ?? 0, nesterov: nesterov))
        return TrainingConfiguration(epochs: epochs ?? settings.epochs, batchSize: batchSize ?? settings.batchSize,
                                     loss: loss ?? settings.loss, optimizer: optimizerSpec, seed: seed,
                                     validationSplit: validationSplit, earlyStoppingPatience: patience)
    }

    /// The model for MNIST-shaped images and `classes` outputs.
    func modelSpec(classes: Int, defaultPreset: Preset? = nil) throws -> ModelSpec {
        try model.spec(hidden: try hiddenSizes(defaultPreset: defaultPreset), activation: activation, l2: l2, classes: classes)
    }
}
