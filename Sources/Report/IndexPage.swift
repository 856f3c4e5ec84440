import Foundation
import Learning
import Signatures

/// The sweep's home page: every experiment in a row, as the original's home page listed them
/// (classes, images per class, model, accuracy, chosen k, purity and concentration per layer,
/// anomaly AUC, with seed spreads), sortable, each linking to its page.
struct IndexPage {
    let entries: [SweepEntry]

    func render() throws -> String {
        let layerNames = entries.flatMap { $0.layers.map(\.layer) }.uniqued()
        let anomalyNames = entries.flatMap { $0.anomalyAUC.keys }.uniqued().sorted()
        var heading = ["experiment", "classes", "images per class", "model", "seeds", "test accuracy"]
        for layer in layerNames { heading += ["\(layer) k", "\(layer) purity", "\(layer) concentration"] }
        heading += anomalyNames.map { "AUC \($0)" } + ["separates from", "seconds"]
        let rows: [[String: Any]] = entries.map { entry in
            var cells: [Cell] = [
                Cell(entry.classes.map(String.init).joined(separator: " ")), Cell(entry.perClass.map(String.init) ?? "all", sort: Double(entry.perClass ?? Int.max)),
                Cell(entry.model), Cell(String(entry.seeds), sort: Double(entry.seeds)), Cell(entry.testAccuracy, percent: true),
            ]
            for name in layerNames {
                let layer = entry.layers.first { $0.layer == name }
                cells.append(Cell(layer?.k, integer: true))
                cells.append(Cell(layer?.purity))
                let shares = layer.map { layer in
                    layer.concentration.keys.sorted().map { "\($0): \(layer.concentration[$0]!.percentText)" }.joined(separator: ", ")
                } ?? "-"
                cells.append(Cell(shares, sort: layer?.concentration.values.map(\.mean).min()))
            }
            for name in anomalyNames { cells.append(Cell(entry.anomalyAUC[name])) }
            cells.append(Cell(Self.separation(entry.separatingLayers)))
            cells.append(Cell(MetricText.fixed(entry.seconds, 1), sort: entry.seconds))
            return ["name": entry.name, "link": "\(entry.name)/index.html",
                    "cells": cells.map { ["text": $0.text, "sort": $0.sort.map { String($0) } ?? ""] }]
        }
        return ReportTemplates.index.render([
            "title": "Signet: signature studies",
            "subtitle": "\(entries.count) experiments",
            "heading": heading,
            "rows": rows,
            "style": ReportAssets.style,
        ] as [String: Any])
    }

    /// The first layer reaching purity 0.9, per seed: "hidden_1", or "hidden_1 (4 of 5)".
    static func separation(_ layers: [String?]) -> String {
        let counts = Dictionary(grouping: layers) { $0 ?? "none" }.mapValues(\.count)
        guard let mode = counts.max(by: { $0.value < $1.value }) else { return "-" }
        return layers.count > 1 && mode.value < layers.count ? "\(mode.key) (\(mode.value) of \(layers.count))" : mode.key
    }

    /// One table cell: its text, and the number the column sorts by.
    struct Cell {
        var text: String
        var sort: Double?

        init(_ text: String, sort: Double? = nil) {
            self.text = text
            self.sort = sort
        }

        init(_ figure: FigureSpread?, integer: Bool = false, percent: Bool = false) {
            text = figure.map { percent ? $0.percentText : $0.text(integer: integer) } ?? "-"
            sort = figure?.mean
        }
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
