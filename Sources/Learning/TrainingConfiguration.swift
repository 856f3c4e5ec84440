import Engine

/// How to train: what Keras's `compile` and `fit` take, plus the seed.
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    public var epochs: Int
    public var batchSize: Int
    public var loss: Loss
    public var optimizer: OptimizerSpec
    /// Drives initialisation and every epoch's shuffle.
    public var seed: UInt64
    /// Shuffle the training examples at the start of every epoch (Keras does by default).
    public var shuffle: Bool
    /// The fraction of the training examples held out for validation: the last ones, before
    /// shuffling, as Keras's `validation_split` takes them.
    public var validationSplit: Double?
    /// Stop when the validation loss has not improved for this many epochs.
    public var earlyStoppingPatience: Int?

    public init(epochs: Int = 10, batchSize: Int = 32, loss: Loss = .categoricalCrossEntropy,
                optimizer: OptimizerSpec = .adam(AdamHyperparameters()), seed: UInt64 = 0, shuffle: Bool = true,
                validationSplit: Double? = nil, earlyStoppingPatience: Int? = nil) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.loss = loss
        self.optimizer = optimizer
        self.seed = seed
        self.shuffle = shuffle
        self.validationSplit = validationSplit
        self.earlyStoppingPatience = earlyStoppingPatience
    }

    /// - Throws: `LearningError.invalidConfiguration` naming the first setting out of range.
    public func validate() throws {
        guard epochs >= 1 else { throw LearningError.invalidConfiguration("epochs must be >= 1, got \(epochs)") }
        guard batchSize >= 1 else { throw LearningError.invalidConfiguration("batch size must be >= 1, got \(batchSize)") }
        guard optimizer.learningRate > 0, optimizer.learningRate.isFinite else {
            throw LearningError.invalidConfiguration("learning rate must be > 0, got \(optimizer.learningRate)")
        }
        if let split = validationSplit, !(split > 0 && split < 1) {
            throw LearningError.invalidConfiguration("validation split must be between 0 and 1, got \(split)")
        }
        if let patience = earlyStoppingPatience, patience < 1 {
            throw LearningError.invalidConfiguration("patience must be >= 1, got \(patience)")
        }
    }
}
