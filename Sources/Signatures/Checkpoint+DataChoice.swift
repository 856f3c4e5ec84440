import Learning

extension Checkpoint {
    /// Captures `trainer` now, annotated with the data it trains on, so that
    /// `DataChoice(checkpoint:path:)` finds that data again.
    public init(trainer: Trainer, data: DataChoice) throws {
        try self.init(trainer: trainer, annotations: [DataChoice.annotationKey: data.annotation])
    }
}
