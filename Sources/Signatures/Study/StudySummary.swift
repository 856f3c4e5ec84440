import Foundation
import Learning

/// The summary of a study in words: the layer table, then the study's three questions answered
/// in words and numbers, as the terminal prints it and the report shows it. With several seeds a
/// number reads `mean [min-max]`.
public struct StudySummary {
    public let result: StudyResult

    public init(_ result: StudyResult) {
        self.result = result
    }

    private var first: StudyRun { result.runs[0] }
    private var configuration: StudyConfiguration { result.configuration }
    private var kept: [Int] { configuration.classes }
    private var noun: String { configuration.data.dataset.classNoun }
    private var nouns: String { noun == "class" ? "classes" : noun + "s" }

    /// The images of one label in a sentence: "1s" for digits, "Trouser images" for articles.
    private func plural(_ label: Int) -> String {
        configuration.data.dataset == .mnist ? result.name(label) + "s" : result.name(label) + " images"
    }

    /// The whole summary, as `signet study` prints it.
    public var text: String {
        (header + layerTable + [""] + separation + [""] + signatures + anomalies + [""] + times).joined(separator: "\n")
    }

    /// The three questions, each its question line and then its answer lines (trimmed); the third
    /// only when the study inserted or placed unseen classes.
    public var questions: [(question: String, answer: [String])] {
        [separation, signatures, anomalies.filter { !$0.isEmpty }].filter { !$0.isEmpty }.map { lines in
            (lines[0], lines.dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
        }
    }

    private var header: [String] {
        let data = configuration.data
        let perClass = data.subset.perClass.map { "\($0) training images each" } ?? "all training images"
        let seeds = configuration.seeds == 1 ? "seed \(configuration.seed)"
            : "\(configuration.seeds) seeds (\(configuration.seed) ... \(configuration.seed + UInt64(configuration.seeds - 1)))"
        let analysis = first.analysis.images.count
        return ["", "Signature study: \(data.dataset.displayName) \(nouns) \(names(kept)) (\(perClass)), \(seeds)",
                "Model \(modelDescription) \(first.model.checkpoint.map { "from \($0)" } ?? "trained \(first.model.history.count) epochs"); "
                    + "test accuracy \(percent("test/accuracy")) on \(first.model.test.count) images",
                "Analysis: \(analysis) \(configuration.analyze == .train ? "training" : configuration.analyze == .test ? "test" : "training and test") images, "
                    + "k = \(kRangeText), K-means with \(configuration.restarts) restarts, "
                    + (configuration.standardize ? "standardized signatures" : "raw signatures"),
                ""]
    }

    private var modelDescription: String { first.model.spec.outline }

    private var kRangeText: String {
        if let fixed = configuration.fixedK { return fixed.map(String.init).joined(separator: ",") + " (fixed)" }
        return "\(configuration.kRange.lowerBound) ... \(configuration.kRange.upperBound) by silhouette"
    }

    private var layerTable: [String] {
        let maps = configuration.umap != nil
        var heading = ["layer", "width", "k", "silhouette", "purity", "ARI", "NMI"] + (maps ? ["UMAP trust"] : [])
        heading += kept.map { "\(result.name($0)) in one cluster" }
        var rows = [heading]
        for layer in first.analysis.layers {
            let path = "analysis/\(layer.layer)"
            rows.append([layer.layer, String(layer.width), number("\(path)/k", digits: 1, integer: true),
                         number("\(path)/silhouette"), number("\(path)/purity"), number("\(path)/adjusted rand index"),
                         number("\(path)/normalized mutual information")] + (maps ? [number("\(path)/umap trustworthiness")] : [])
                        + kept.map { percent("\(path)/concentration/\($0)") })
        }
        return Self.table(rows)
    }

    /// Question 1: from which layer the model separates the classes; over seeds, the layer most
    /// of them separate from (the earlier layer on a tie).
    private var separation: [String] {
        var lines = ["1. From which layer does the model separate the \(nouns)?"]
        let layers = first.layers
        let counts = Dictionary(grouping: result.runs) { $0.analysis.separatingLayer }.mapValues(\.count)
        let position = { (layer: String?) in layer.flatMap { layers.firstIndex(of: $0) } ?? layers.count }
        let mode = counts.max { $0.value != $1.value ? $0.value < $1.value : position($0.key) > position($1.key) }!.key
        if let layer = mode {
            let path = "analysis/\(layer)"
            lines.append("   From \(layer)\(position(layer) == 0 ? ", the first studied layer" : ""): its \(number("\(path)/k", integer: true)) "
                + "clusters have purity " + number("\(path)/purity") + " (ARI " + number("\(path)/adjusted rand index") + ").")
        } else {
            lines.append("   No studied layer reaches purity \(PathSummary.separationPurity)\(result.runs.count > 1 ? " in most seeds" : ""): "
                + "the clusters mix the \(nouns) in every layer.")
        }
        if result.runs.count > 1 {
            let tally = counts.sorted { position($0.key) < position($1.key) }
                .map { "\($0.key ?? "no layer") in \($0.value)" }.joined(separator: ", ")
            lines.append("   Seeds by the first layer reaching purity \(PathSummary.separationPurity): \(tally) of \(result.runs.count).")
        }
        return lines
    }

    /// Question 2: how different the kept classes' signatures are, at the first studied layer.
    private var signatures: [String] {
        guard let layer = first.analysis.layers.first else { return [] }
        let path = "analysis/\(layer.layer)"
        var lines = ["2. Do the \(names(kept, plural: true)) leave different signatures? At \(layer.layer):"]
        for concentration in layer.concentration {
            let label = concentration.label
            let misplaced = first.analysis.paths.notable.filter { $0.layer == layer.layer && $0.label == label }
            let total = first.analysis.images.filter { $0.label == label }.count
            var line = "   \(percent("\(path)/concentration/\(label)")) of the \(plural(label)) share one cluster "
                + "(cluster \(concentration.cluster)); \(number("\(path)/misclustered/\(label)", integer: true)) of \(total) "
                + "fall in a cluster of another \(noun)'s majority"
            if !misplaced.isEmpty {
                let shown = misplaced.prefix(8).map { "\(first.analysis.images[$0.image].split.rawValue) #\(first.analysis.images[$0.image].index)" }
                let seed = result.runs.count > 1 ? "seed \(first.seed): " : ""
                line += " (\(seed)\(shown.joined(separator: ", "))\(misplaced.count > 8 ? ", ..." : ""))"
            }
            lines.append(line + ".")
        }
        let dominant = Set(layer.concentration.map(\.cluster))
        lines.append(dominant.count == layer.concentration.count
            ? "   Each \(noun) has a cluster of its own: the signatures differ."
            : "   Some \(nouns) share their main cluster: their signatures are alike at this layer.")
        return lines
    }

    /// Question 3: where unseen classes go, inserted and placed.
    private var anomalies: [String] {
        guard !configuration.anomalies.isEmpty else { return [] }
        var lines = ["", "3. Where do unseen \(nouns) go?"]
        for analysis in first.inserted {
            for route in analysis.routes {
                let together = analysis.anomalies.count > 1 ? ", inserted together with " + names(analysis.anomalies.filter { $0 != route.label }) : ""
                lines.append("   Inserted \(plural(route.label)) (\(route.count) images\(together)):")
                for layer in route.layers {
                    // Every place some seed sent them, largest mean share first.
                    let places: [(figure: FigureSpread, text: String)] = (kept.map(Optional.some) + [nil]).compactMap { majority in
                        let name = "\(analysis.name)/\(layer.layer)/share of \(route.label) " + (majority.map { "with \($0)" } ?? "alone")
                        guard let figure = result.figure(name), figure.max > 0 else { return nil }
                        return (figure, majority.map { "with the \(plural($0))" } ?? "in clusters of their own")
                    }
                    let shares = places.sorted { $0.figure.mean > $1.figure.mean }.map { "\(percent($0.figure.name)) \($0.text)" }
                    lines.append("     \(layer.layer): " + shares.joined(separator: ", "))
                }
                let predicted = kept.compactMap { label -> String? in
                    let name = "\(analysis.name)/\(route.label) predicted as \(label)"
                    guard let figure = result.figure(name), figure.max > 0 else { return nil }
                    return "\(percent(name)) as \(result.name(label))"
                }
                lines.append("     the model classifies them " + predicted.joined(separator: ", "))
            }
        }
        if let placed = first.placed {
            lines.append("   Placed test images, scored by how rare their path is among the analysis images' "
                + "(vs \(placed.keptCount) test images of \(names(kept))):")
            for anomaly in placed.anomalies {
                lines.append("     \(result.name(anomaly.label)): ROC AUC \(number("placed/\(anomaly.label)/auc")) over \(anomaly.count) images; "
                    + "\(percent("placed/\(anomaly.label)/unseen path share")) take a path no analysis image took")
            }
        }
        return lines
    }

    private var times: [String] {
        ["Time: " + result.phases.map { "\($0.phase) \(MetricText.fixed($0.seconds, 2)) s" }.joined(separator: ", ")]
    }

    // MARK: Numbers

    /// A figure with 3 decimals (or as an integer): the value, or `mean [min-max]` over seeds.
    private func number(_ name: String, digits: Int = 3, integer: Bool = false) -> String {
        result.figure(name)?.text(digits: digits, integer: integer) ?? "-"
    }

    /// A share figure as a percentage, or `mean [min-max]` percentages over seeds.
    private func percent(_ name: String) -> String {
        result.figure(name)?.percentText ?? "-"
    }

    /// "1 and 7", or "1s and 7s".
    private func names(_ labels: [Int], plural isPlural: Bool = false) -> String {
        let named = labels.map { isPlural ? plural($0) : result.name($0) }
        guard named.count > 1 else { return named.first ?? "" }
        return named.dropLast().joined(separator: ", ") + " and " + named.last!
    }

    /// Rows as a Markdown table, columns padded.
    public static func table(_ rows: [[String]]) -> [String] {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max()! }
        func line(_ row: [String]) -> String {
            "| " + row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: " | ") + " |"
        }
        return [line(rows[0]), "| " + widths.map { String(repeating: "-", count: $0) }.joined(separator: " | ") + " |"]
            + rows.dropFirst().map(line)
    }
}
