/// One figure of a study over its seeds: mean, minimum and maximum.
///
/// Figures are named by path: `test/accuracy`, `analysis/hidden_1/purity`,
/// `analysis/hidden_1/umap trustworthiness`, `analysis/hidden_1/concentration/7` (a label), `analysis/hidden_1/misclustered/7` (its images
/// in another label's cluster), `with 4/hidden_1/share of 4 with 7` (its inserted images in
/// 7-majority clusters; `alone`: in clusters of anomalies only), `with 4/4 predicted as 7` (the
/// share the model classifies so), `placed/3/auc`, `placed/3/unseen path share`.
public struct FigureSpread: Codable, Equatable, Sendable {
    public var name: String
    public var mean: Double
    public var min: Double
    public var max: Double
    /// One value per run that has the figure, in seed order.
    public var values: [Double]

    public init(name: String, values: [Double]) {
        self.name = name
        self.values = values
        mean = values.reduce(0, +) / Double(Swift.max(values.count, 1))
        min = values.min() ?? .nan
        max = values.max() ?? .nan
    }

    /// The spread of every figure of `runs` (each run's figures by name), in first-seen order.
    static func spreads(of runs: [[(name: String, value: Double)]]) -> [FigureSpread] {
        var order: [String] = [], values: [String: [Double]] = [:]
        for run in runs {
            for (name, value) in run {
                if values[name] == nil { order.append(name) }
                values[name, default: []].append(value)
            }
        }
        return order.map { FigureSpread(name: $0, values: values[$0]!) }
    }
}

extension StudyResult {
    /// The spread of the figure named `name`, if the runs have it.
    public func figure(_ name: String) -> FigureSpread? { spread.first { $0.name == name } }
}

extension StudyRun {
    /// Every figure of the run, by name (see `FigureSpread`).
    public func figures() -> [(name: String, value: Double)] {
        var figures: [(name: String, value: Double)] = [("test/accuracy", model.test.metrics.accuracy)]
        let keptLabels = analysis.layers.first?.concentration.map(\.label) ?? []
        for analysis in [analysis] + inserted {
            let prefix = analysis.name
            if analysis.anomalies.isEmpty {
                let position = analysis.separatingLayer.flatMap { layers.firstIndex(of: $0) }.map { $0 + 1 } ?? 0
                figures.append(("\(prefix)/separating layer (1 = first, 0 = none)", Double(position)))
            }
            for layer in analysis.layers {
                let path = "\(prefix)/\(layer.layer)"
                figures.append(("\(path)/k", Double(layer.k)))
                if let silhouette = layer.silhouette { figures.append(("\(path)/silhouette", silhouette)) }
                if let trust = layer.map?.trustworthiness { figures.append(("\(path)/umap trustworthiness", trust)) }
                figures += [("\(path)/purity", layer.purity), ("\(path)/adjusted rand index", layer.adjustedRandIndex),
                            ("\(path)/normalized mutual information", layer.normalizedMutualInformation)]
                for concentration in layer.concentration {
                    figures.append(("\(path)/concentration/\(concentration.label)", concentration.share))
                }
                for label in keptLabels {
                    let count = analysis.paths.notable.filter { $0.layer == layer.layer && $0.label == label }.count
                    figures.append(("\(path)/misclustered/\(label)", Double(count)))
                }
            }
            for route in analysis.routes {
                for label in keptLabels {
                    let count = route.predictions.first { $0.label == label }?.count ?? 0
                    figures.append(("\(prefix)/\(route.label) predicted as \(label)", Double(count) / Double(max(route.count, 1))))
                }
                for layer in route.layers {
                    for majority in keptLabels.map(Optional.some) + [nil] {
                        let share = layer.byMajority.first { $0.majorityLabel == majority }?.share ?? 0
                        let with = majority.map { "with \($0)" } ?? "alone"
                        figures.append(("\(prefix)/\(layer.layer)/share of \(route.label) \(with)", share))
                    }
                }
            }
        }
        for anomaly in placed?.anomalies ?? [] {
            figures.append(("placed/\(anomaly.label)/auc", anomaly.auc))
            figures.append(("placed/\(anomaly.label)/unseen path share", anomaly.unseenPathShare))
        }
        return figures
    }
}
