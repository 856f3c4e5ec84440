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

    /// A figure's text (`FigureSpread.text`), `-` when absent.
    static func number(_ figure: FigureSpread?, integer: Bool = false) -> String {
        figure?.text(integer: integer) ?? "-"
    }

    /// A share's percentage (`FigureSpread.percentText`), `-` when absent.
    static func percent(_ figure: FigureSpread?) -> String {
        figure?.percentText ?? "-"
    }
}
