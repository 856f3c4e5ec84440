import Learning
import Signatures

/// The table `signet sweep` ends with: one row per experiment, numbers per layer joined by `/`,
/// each `mean` or, over several seeds, `mean [min-max]`.
struct SweepTable {
    let index: SweepIndex

    init(_ index: SweepIndex) {
        self.index = index
    }

    var text: String {
        var rows = [["experiment", "model", "seeds", "test accuracy", "k per layer", "purity per layer", "placed AUC", "seconds"]]
        for entry in index.entries {
            let auc = entry.anomalyAUC.keys.sorted().map { "\($0): \(Self.number(entry.anomalyAUC[$0]))" }.joined(separator: ", ")
            rows.append([entry.name, entry.model, String(entry.seeds), Self.percent(entry.testAccuracy),
                         entry.layers.map { Self.number($0.k, integer: true) }.joined(separator: " / "),
                         entry.layers.map { Self.number($0.purity) }.joined(separator: " / "),
                         auc.isEmpty ? "-" : auc, entry.reused ? "(reused)" : MetricText.fixed(entry.seconds, 1)])
        }
        return ([""] + StudySummary.table(rows)).joined(separator: "\n")
    }

    /// `0.985`, or `0.985 [0.970-0.995]` over seeds that differ; `-` when absent.
    static func number(_ figure: FigureSpread?, integer: Bool = false) -> String {
        guard let figure else { return "-" }
        let format = { (value: Double) in integer ? String(Int(value.rounded())) : MetricText.fixed(value, 3) }
        if figure.min == figure.max { return format(figure.min) }
        return "\(MetricText.fixed(figure.mean, integer ? 1 : 3)) [\(format(figure.min))-\(format(figure.max))]"
    }

    /// A share as a percentage, with its spread over seeds that differ.
    static func percent(_ figure: FigureSpread?) -> String {
        guard let figure else { return "-" }
        if figure.min == figure.max { return MetricText.percent(figure.min) }
        return "\(MetricText.percent(figure.mean)) [\(MetricText.percent(figure.min))-\(MetricText.percent(figure.max))]"
    }
}
