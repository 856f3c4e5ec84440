import Engine

extension Sequential {
    /// The model's outputs for `features` (`count x inputCount` values), in inference mode,
    /// computed `batchSize` examples at a time (nil: as `activations` chooses): `count x
    /// outputCount` values.
    public func predict(_ features: [Float], batchSize: Int? = nil) throws -> [Float] {
        // The output layer is a dense layer: no feature-map reduction applies.
        try activations(of: [layers.last!.name], for: features, batchSize: batchSize)[layers.last!.name]!
    }

    /// Each named layer's outputs for every example, from one batched pass: the study's
    /// signatures. Returns `count x (values per example)` per layer name.
    ///
    /// A feature map (a convolution or pooling output, `[h, w, c]` per example) is large:
    /// 26 x 26 x 32 = 21,632 values for `cnn`'s first layer. Its signature is by default the mean
    /// of each channel over positions (`c` values), computed on the backend; `fullFeatureMaps`
    /// keeps every value, for small runs.
    ///
    /// `batchSize` nil (what the study uses) takes up to `defaultInferenceBatch` examples at a
    /// time, fewer for a model whose batch of that many would not fit the backend's memory; a
    /// batch given explicitly is refused when it would not.
    /// - Throws: `LearningError.unknownLayer` for a name the model lacks;
    ///   `.invalidConfiguration` for a batch, or a single example, too large for the memory.
    public func activations(of names: [String], for features: [Float], batchSize: Int? = nil,
                            fullFeatureMaps: Bool = false) throws -> [String: [Float]] {
        for name in names { _ = try layer(named: name) }
        guard inputCount > 0, features.count % inputCount == 0 else {
            throw LearningError.dataMismatch("\(features.count) values do not split into examples of \(inputCount)")
        }
        if let batchSize, batchSize <= 0 { throw LearningError.invalidConfiguration("batch size must be >= 1") }
        let count = features.count / inputCount
        let batchSize = try batchSize ?? largestInferenceBatch(upTo: Self.defaultInferenceBatch)
        try checkInferenceBatchFits(min(batchSize, max(count, 1)))
        let wanted = Set(names)
        var result: [String: [Float]] = [:]
        for name in names { result[name] = [] }
        var start = 0
        while start < count {
            let rows = min(batchSize, count - start)
            let x = try inferenceScratch.tensor("input", [rows] + spec.inputShape)
            try backend.write(Array(features[start * inputCount..<(start + rows) * inputCount]), to: x)
            _ = try forward(x, training: false) { layer, output in
                guard wanted.contains(layer.name) else { return }
                if output.shape.count == 4 && !fullFeatureMaps {
                    let means = try inferenceScratch.tensor("means." + layer.name, [rows, output.shape[3]])
                    try backend.channelMeans(output, into: means)
                    result[layer.name]! += try backend.read(means)
                } else {
                    result[layer.name]! += try backend.read(output)
                }
            }
            start += rows
        }
        return result
    }

    /// The examples an inference pass takes at a time unless told otherwise: large enough that
    /// each layer's work is a matrix product worth the device, small enough that `cnn`'s first
    /// feature maps (26 x 26 x 32 values an image) take 87 MB.
    public static let defaultInferenceBatch = 1000

    /// The bytes one example takes in an inference pass: its input and every layer's output,
    /// float32, what a forward pass keeps.
    private var inferenceBytesPerExample: Int {
        // A flatten is a view of its input: no memory of its own.
        let valuesPerExample = layers.filter { !($0 is FlattenLayer) }.reduce(inputCount) { total, layer in
            let (sum, overflow) = total.addingReportingOverflow(layer.outputShape.reduce(1, ModelSummary.product))
            return overflow ? .max : sum
        }
        return ModelSummary.product(4, valuesPerExample)
    }

    /// The largest batch, at most `limit`, whose inference pass fits half the backend's memory.
    /// - Throws: `LearningError.invalidConfiguration` when not even one example fits.
    func largestInferenceBatch(upTo limit: Int) throws -> Int {
        let fitting = backend.memoryBytes / 2 / max(inferenceBytesPerExample, 1)
        guard fitting >= 1 else { try checkInferenceBatchFits(1); return 1 }
        return min(limit, fitting)
    }

    /// Refuses an inference batch that would take more than half the backend's memory, as
    /// training refuses its batch: one line instead of a process killed for memory.
    private func checkInferenceBatchFits(_ rows: Int) throws {
        let bytes = ModelSummary.product(inferenceBytesPerExample, rows)
        guard bytes <= backend.memoryBytes / 2 else {
            let what = rows == 1 ? "one example's inference pass" : "an inference batch of \(MetricText.grouped(rows))"
            // A batch of one cannot shrink: the model is what is too large.
            let remedy = rows == 1 ? "use a smaller model" : "use a smaller batch size"
            throw LearningError.invalidConfiguration(
                "\(what) needs about \(MetricText.bytes(bytes)) (the input and every layer's output), more than half the "
                    + "\(MetricText.bytes(backend.memoryBytes)) of \(backend.description); \(remedy)")
        }
    }
}
