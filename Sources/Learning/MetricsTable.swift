/// Per-class precision, recall and F1, then the confusion matrix, as aligned text lines.
///
/// ```
/// digit  precision  recall  f1      support
/// 1      0.9956     0.9938  0.9947  1135
/// ...
/// ```
public struct MetricsTable: CustomStringConvertible, Sendable {
    public var metrics: ClassificationMetrics
    /// One per class, in class order: the row and column names.
    public var labels: [String]
    /// What a class is called in the headings (`digit` for MNIST).
    public var classHeading: String

    public init(metrics: ClassificationMetrics, labels: [String], classHeading: String = "class") {
        precondition(labels.count == metrics.support.count, "one label per class")
        self.metrics = metrics
        self.labels = labels
        self.classHeading = classHeading
    }

    /// The table, starting with an empty line (it follows a summary line in reports).
    public var lines: [String] {
        let first = max(5, classHeading.count, labels.map(\.count).max() ?? 0)
        var lines = ["", pad(classHeading, first) + "  precision  recall  f1      support"]
        for (index, label) in labels.enumerated() {
            lines.append(pad(label, first) + "  " + pad(MetricText.fixed(metrics.precision[index], 4), 9) + "  "
                + pad(MetricText.fixed(metrics.recall[index], 4), 6) + "  " + pad(MetricText.fixed(metrics.f1[index], 4), 6)
                + "  \(metrics.support[index])")
        }
        let width = max(5, (metrics.confusion.flatMap { $0 }.max() ?? 0).description.count + 1, (labels.map(\.count).max() ?? 0) + 1)
        lines += ["", "confusion (rows: actual \(classHeading), columns: predicted)",
                  pad("", first) + labels.map { pad($0, width, right: true) }.joined()]
        for (index, row) in metrics.confusion.enumerated() {
            lines.append(pad(labels[index], first) + row.map { pad(String($0), width, right: true) }.joined())
        }
        return lines
    }

    public var description: String { lines.joined(separator: "\n") }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
