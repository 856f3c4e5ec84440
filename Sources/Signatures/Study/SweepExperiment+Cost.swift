import Learning

extension SweepExperiment {
    /// The experiment's work, estimated from its configuration alone (no data read, nothing
    /// trained) in multiply-adds: what `SweepShard` balances, and the order a sweep's workers
    /// take experiments in. Only the ratios between experiments matter, and they are rough:
    /// training (forward and backward), and per analysis and layer K-means (about 20 Lloyd
    /// passes per restart), the silhouette pass (every pair of images) and UMAP's neighbours
    /// (every pair again), all times the seeds.
    public var estimatedCost: Double {
        let configuration = self.configuration
        let classes = Double(configuration.classes.count)
        // MNIST and Fashion-MNIST have about 6,000 training and 1,000 test images per class.
        let training = Double(configuration.data.subset.perClass ?? 6000) * classes
        let test = 1000 * classes
        let analysed: Double
        switch configuration.analyze {
        case .train: analysed = training
        case .test: analysed = test
        case .all: analysed = training + test
        }
        var perImage = 0.0, widths: [Double] = []
        var trainingWork = 0.0
        if case let .train(spec, settings) = configuration.model,
           let summary = try? ModelSummary(spec: spec, batch: 1, optimizer: settings.optimizer) {
            for row in summary.layers {
                let positions = row.type == "Conv2D" ? Double(row.outputShape.dropLast().reduce(1, *)) : 1
                perImage += Double(row.parameters) * positions + Double(row.outputShape.reduce(1, *))
            }
            let studied = configuration.layers.map(Set.init)
            // The hidden layers a study takes by default: every conv, pool and dense but the output.
            widths = summary.layers.dropLast().filter { row in
                studied?.contains(row.name) ?? ["Dense", "Conv2D", "MaxPooling2D"].contains(row.type)
            }.map { Double($0.outputShape.last ?? 1) }
            trainingWork = 3 * perImage * training * Double(settings.epochs)
        }
        if widths.isEmpty { widths = [64] }
        let ks = configuration.fixedK.map { $0.map(Double.init) } ?? configuration.kRange.map(Double.init)
        let kSum = ks.reduce(0, +)
        func analysis(_ n: Double) -> Double {
            widths.reduce(0) { total, width in
                let kMeans = 20 * Double(configuration.restarts) * kSum * n * width
                let silhouette = n * n * (width + kSum)
                let umap = configuration.umap == nil ? 0 : n * n * width + 30_000 * n
                return total + kMeans + silhouette + umap
            }
        }
        let groups = configuration.anomalies.isEmpty ? 0 : configuration.anomaliesTogether ? 1 : configuration.anomalies.count
        let perAnomaly = Double(configuration.data.subset.perClass ?? 6000)
        let together = Double(configuration.anomaliesTogether ? configuration.anomalies.count : 1)
        let inserted = Double(groups) * analysis(analysed + perAnomaly * together)
        // The placing pass: every test image of the kept and anomaly classes through the model.
        let placing = Double(configuration.anomalies.isEmpty ? 0 : 1) * perImage * 1000 * (classes + Double(configuration.anomalies.count))
        return Double(configuration.seeds) * (trainingWork + perImage * analysed + analysis(analysed) + inserted + placing)
    }
}
