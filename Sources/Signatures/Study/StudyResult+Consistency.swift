import Learning

extension StudyResult {
    /// Checks what every reader of a result relies on, so that a `result.json` edited, truncated
    /// or made elsewhere is refused in one line instead of trapping the report: at least one run;
    /// in every analysis, one cluster per layer for each image, each below its layer's k (which is
    /// at least 1 and at most the number of images); map coordinates two per image and finite;
    /// listed images within the analysis; a seed range that fits in 64 bits; model input shapes
    /// of positive sizes whose product fits in an Int.
    ///
    /// Found by fuzzing `signet report` (Fuzz/, target study-result). A result `Study.run` made
    /// always passes.
    /// - Throws: `SignaturesError.invalidArgument` naming the first inconsistency.
    public func checkConsistency() throws {
        func fail(_ detail: String) -> SignaturesError { .invalidArgument("an inconsistent study result: \(detail)") }
        guard !runs.isEmpty else { throw fail("it holds no run") }
        guard configuration.seeds >= 1, configuration.seed <= UInt64.max - UInt64(configuration.seeds - 1) else {
            throw fail("\(configuration.seeds) seeds from seed \(configuration.seed)")
        }
        for (number, run) in runs.enumerated() {
            let shape = run.model.spec.inputShape
            guard !shape.isEmpty, shape.allSatisfy({ $0 >= 1 }), shape.reduce(1, ModelSummary.product) < Int.max else {
                throw fail("run \(number + 1)'s model takes input \(shape)")
            }
            for analysis in [run.analysis] + run.inserted {
                try analysis.checkConsistency { fail("run \(number + 1), \(analysis.name): \($0)") }
            }
        }
    }
}

extension Analysis {
    fileprivate func checkConsistency(_ fail: (String) -> SignaturesError) throws {
        let count = images.count
        for layer in layers {
            guard layer.k >= 1, layer.k <= max(count, 1) else { throw fail("layer \(layer.layer) has k = \(layer.k) for \(count) images") }
            if let bad = layer.clusters.first(where: { !(0..<layer.k).contains($0.cluster) }) {
                throw fail("layer \(layer.layer) lists cluster \(bad.cluster) of k = \(layer.k)")
            }
            if let map = layer.map { try map.check(count: count) { fail("the map of \(layer.layer) \($0)") } }
        }
        if let map = inputMap { try map.check(count: count) { fail("the input map \($0)") } }
        for (position, image) in images.enumerated() {
            guard image.index >= 0 else { throw fail("image \(position) has index \(image.index)") }
            guard image.clusters.count == layers.count else {
                throw fail("image \(position) has \(image.clusters.count) clusters for \(layers.count) layers")
            }
            for (layer, cluster) in zip(layers, image.clusters) where !(0..<layer.k).contains(cluster) {
                throw fail("image \(position) is in cluster \(cluster) of \(layer.layer), whose k is \(layer.k)")
            }
        }
        if let bad = paths.notable.first(where: { !(0..<count).contains($0.image) }) {
            throw fail("a notable image \(bad.image) of \(count)")
        }
    }
}

extension LayerMap {
    fileprivate func check(count: Int, _ fail: (String) -> SignaturesError) throws {
        guard coordinates.count == 2 * count else { throw fail("has \(coordinates.count) coordinates for \(count) images") }
        guard coordinates.allSatisfy(\.isFinite) else { throw fail("has a coordinate that is not finite") }
    }
}
