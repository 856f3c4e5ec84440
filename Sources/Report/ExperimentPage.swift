import Datasets
import Foundation
import Learning
import Signatures

/// One experiment's page, from its study result alone: the template's values (the tables and
/// answers, rendered as HTML) and the page's data (every image's label, prediction, clusters and
/// map positions, inlined as JSON for the script), with the digit sprite sheets it refers to.
///
/// The maps, Sankey, curves and tiles are drawn by `report.js` from that data; what needs no
/// script (the questions' answers, the layer table, the configuration) is plain HTML.
package struct ExperimentPage {
    let result: StudyResult
    /// The index page, relative to this one (nil for a single study's page).
    let indexLink: String?

    package init(result: StudyResult, indexLink: String?) {
        self.result = result
        self.indexLink = indexLink
    }

    private var first: StudyRun { result.runs[0] }
    private var configuration: StudyConfiguration { result.configuration }
    private var dataset: DatasetName { configuration.data.dataset }

    /// The page's HTML, and its sprite sheets (none when `images` is nil: hovers then show no image).
    /// - Parameter neighbours: the analysis images' nearest neighbours, listed on a click.
    package func render(images: [Split: LabeledImages]?, sheetFolder: String, neighbours: NeighbourLists?) throws -> (html: String, sheets: [Data]) {
        var sprites = SpriteSheets()
        var views = ([first.analysis] + first.inserted).map { view($0, sprites: &sprites) }
        views[0].neighbours = neighbours
        let sheets = try images.map { try sprites.encodedSheets($0) } ?? []
        let classOrder = Array(Set(([first.analysis] + first.inserted).flatMap { $0.images.map(\.label) })).sorted()
        let payload = Payload(
            classNames: (0..<10).map { result.name($0) },
            classOrder: classOrder,
            classRank: Dictionary(uniqueKeysWithValues: classOrder.enumerated().map { (String($1), $0) }),
            views: views,
            sprites: sheets.isEmpty ? nil : SpritePayload(
                sheets: sheets.indices.map { "\(sheetFolder)/\(SpriteSheets.fileName($0))" }, tile: 28, perSide: SpriteSheets.tilesPerSide),
            history: first.model.history.map {
                EpochPayload(epoch: $0.epoch, loss: $0.loss, accuracy: $0.accuracy, validationLoss: $0.validationLoss,
                             validationAccuracy: $0.validationAccuracy)
            },
            confusion: ConfusionPayload(labels: first.model.test.labels, matrix: first.model.test.metrics.confusion))
        let html = ReportTemplates.experiment.render(context(payload: try PageJSON.inline(payload)))
        return (html, sheets)
    }

    // MARK: The data for the script

    struct Payload: Encodable {
        var classNames: [String]
        /// The labels of the page's images, ascending, and each one's rank (its colour).
        var classOrder: [Int]
        var classRank: [String: Int]
        var views: [ViewPayload]
        var sprites: SpritePayload?
        var history: [EpochPayload]
        var confusion: ConfusionPayload
    }

    /// One analysis (the kept classes, or them with inserted unseen ones), column by column.
    struct ViewPayload: Encodable {
        var name: String
        var anomalies: [Int]
        var layers: [LayerPayload]
        var points: PointColumns
        var notable: [NotableImage]
        /// The kept images' only: the inserted ones have no stored signatures.
        var neighbours: NeighbourLists?
    }

    struct PointColumns: Encodable {
        var label: [Int]
        var prediction: [Int]
        /// Per layer, each image's cluster.
        var clusters: [[Int]]
        var split: [String]
        var index: [Int]
        /// Each image's tile in the sprite sheets.
        var image: [Int]
    }

    struct LayerPayload: Encodable {
        var name: String
        var k: Int
        var silhouette: Double?
        var purity: Double
        var candidates: [KCandidate]
        /// Per cluster, the label most of its images have (-1 for none).
        var majority: [Int]
        var map: MapPayload?
    }

    /// A map's positions as integers 0 ... 9999, one scale for both axes (the map's shape kept):
    /// a third of the JSON that floats would take.
    struct MapPayload: Encodable {
        var x: [Int]
        var y: [Int]
        var trust: Double?
        var sample: Int

        init(_ map: LayerMap) {
            let count = map.coordinates.count / 2
            let xs = (0..<count).map { Double(map.coordinates[2 * $0]) }, ys = (0..<count).map { Double(map.coordinates[2 * $0 + 1]) }
            let (lowX, highX) = (xs.min() ?? 0, xs.max() ?? 0), (lowY, highY) = (ys.min() ?? 0, ys.max() ?? 0)
            let span = max(highX - lowX, highY - lowY, 1e-12)
            let padX = (span - (highX - lowX)) / 2, padY = (span - (highY - lowY)) / 2
            x = xs.map { Int(((($0 - lowX) + padX) / span * 9999).rounded()) }
            y = ys.map { Int(((($0 - lowY) + padY) / span * 9999).rounded()) }
            trust = map.trustworthiness
            sample = map.trustworthinessSample
        }
    }

    struct SpritePayload: Encodable {
        var sheets: [String]
        var tile: Int
        var perSide: Int
    }

    struct EpochPayload: Encodable {
        var epoch: Int
        var loss: Double
        var accuracy: Double
        var validationLoss: Double?
        var validationAccuracy: Double?
    }

    struct ConfusionPayload: Encodable {
        var labels: [Int]
        var matrix: [[Int]]
    }

    private func view(_ analysis: Analysis, sprites: inout SpriteSheets) -> ViewPayload {
        let images = analysis.images
        let name = analysis.anomalies.isEmpty
            ? "the \(names(configuration.classes))"
            : "the \(names(configuration.classes)) with unseen \(names(analysis.anomalies))"
        let columns = PointColumns(
            label: images.map(\.label), prediction: images.map(\.prediction),
            clusters: analysis.layers.indices.map { l in images.map { $0.clusters[l] } },
            split: images.map(\.split.rawValue), index: images.map(\.index),
            image: images.map { sprites.slot(split: $0.split, index: $0.index) })
        let layers = analysis.layers.map { layer in
            var majority = [Int](repeating: -1, count: layer.k)
            for cluster in layer.clusters where cluster.cluster < layer.k { majority[cluster.cluster] = cluster.majorityLabel ?? -1 }
            return LayerPayload(name: layer.layer, k: layer.k, silhouette: layer.silhouette, purity: layer.purity,
                                candidates: layer.candidates, majority: majority, map: layer.map.map(MapPayload.init))
        }
        return ViewPayload(name: name, anomalies: analysis.anomalies, layers: layers, points: columns, notable: analysis.paths.notable,
                           neighbours: nil)
    }

    // MARK: The template's values

    private func context(payload: String) -> [String: Any] {
        let summary = StudySummary(result)
        var values: [String: Any] = [
            "title": title,
            "subtitle": subtitle,
            // The list numbers the questions itself.
            "questions": summary.questions.map { question in
                ["question": String(question.question.drop { $0.isNumber || $0 == "." || $0 == " " }), "answer": question.answer] as [String: Any]
            },
            "layerHeading": layerHeading,
            "layerRows": layerRows.map { ["cells": $0] },
            "configuration": configurationRows.map { ["name": $0.0, "value": $0.1] },
            "classNouns": dataset == .mnist ? "digits" : "classes",
            "style": ReportAssets.style,
            "script": ReportAssets.script,
            "payload": payload,
        ]
        if let indexLink { values["indexLink"] = indexLink }
        if result.runs.count > 1 {
            values["seedNote"] = "\(result.runs.count) seeds: a figure reads mean [min-max] over them; the maps and paths are those of seed \(first.seed)."
        }
        if let placed = first.placed, !placed.anomalies.isEmpty {
            values["hasRoutes"] = true
            values["routeHeading"] = ["unseen", "test images", "ROC AUC (path rarity)", "on a path no analysis image took"]
            values["routeRows"] = placed.anomalies.map { anomaly in
                ["cells": [result.name(anomaly.label), String(anomaly.count), number("placed/\(anomaly.label)/auc"),
                           percent("placed/\(anomaly.label)/unseen path share")]]
            }
        }
        return values
    }

    var title: String {
        let perClass = configuration.data.subset.perClass.map { "\($0) images each" } ?? "all images"
        return "\(dataset.displayName): \(names(configuration.classes)), \(perClass)"
    }

    private var subtitle: String {
        let model = first.model
        let trained = model.checkpoint.map { "from \($0)" } ?? "trained \(model.history.count) epochs"
        return "\(model.spec.outline), \(trained); test accuracy \(percent("test/accuracy")) on \(model.test.count) images"
            + " · \(first.analysis.images.count) images analysed"
    }

    private var layerHeading: [String] {
        ["layer", "width", "k", "silhouette", "purity", "ARI", "NMI", "map trustworthiness"]
            + configuration.classes.map { "\(result.name($0)) in its main cluster" }
    }

    private var layerRows: [[String]] {
        first.analysis.layers.map { layer in
            let path = "analysis/\(layer.layer)"
            return [layer.layer, String(layer.width), number("\(path)/k", integer: true), number("\(path)/silhouette"),
                    number("\(path)/purity"), number("\(path)/adjusted rand index"), number("\(path)/normalized mutual information"),
                    number("\(path)/umap trustworthiness")]
                + configuration.classes.map { percent("\(path)/concentration/\($0)") }
        }
    }

    private var configurationRows: [(String, String)] {
        var rows: [(String, String)] = [
            ("data", dataText),
            ("analysed", "\(configuration.analyze.rawValue) images, \(configuration.standardize ? "standardized" : "raw") signatures"),
            ("model", first.model.spec.outline),
        ]
        if case let .train(_, training) = configuration.model {
            rows.append(("training", "\(training.epochs) epochs, batch \(training.batchSize), seed \(training.seed)"))
        } else if case let .checkpoint(path) = configuration.model {
            rows.append(("checkpoint", path))
        }
        let k = configuration.fixedK.map { $0.map(String.init).joined(separator: ", ") + " (fixed)" }
            ?? "\(configuration.kRange.lowerBound) ... \(configuration.kRange.upperBound), chosen by silhouette"
        rows.append(("k", k))
        rows.append(("K-means", "\(configuration.restarts) restarts (k-means++), Lloyd with Hamerly bounds"))
        if !configuration.anomalies.isEmpty {
            rows.append(("unseen", names(configuration.anomalies) + (configuration.anomaliesTogether ? " (inserted together)" : " (inserted one by one)")))
        }
        rows.append(("seeds", configuration.seeds == 1 ? String(configuration.seed)
                        : "\(configuration.seeds) (\(configuration.seed) ... \(configuration.seed + UInt64(configuration.seeds - 1)))"))
        if let umap = configuration.umap {
            rows.append(("UMAP", "\(umap.neighbors) neighbours, min_dist \(umap.minDist), seed \(umap.seed)"))
        } else {
            rows.append(("UMAP", "none (--no-umap)"))
        }
        rows.append(("backend", result.backend.description))
        rows.append(("time", result.phases.map { "\($0.phase) \(MetricText.fixed($0.seconds, 2)) s" }.joined(separator: ", ")))
        return rows
    }

    private var dataText: String {
        let subset = configuration.data.subset
        let noun = dataset.classNoun == "digit" ? "digits" : "classes"
        var text = "\(dataset.displayName) \(noun) \(names(subset.classes.sorted())), "
        switch (subset.perClass, subset.selection) {
        case (nil, _): text += "every training image"
        case (let count?, .first): text += "the first \(count) training images of each"
        case (let count?, .random(let seed)): text += "\(count) random training images of each (seed \(seed))"
        }
        return text + (configuration.data.validateOnTest ? "; validated on the test images" : "")
    }

    private func number(_ name: String, integer: Bool = false) -> String {
        result.figure(name)?.text(integer: integer) ?? "-"
    }

    private func percent(_ name: String) -> String {
        result.figure(name)?.percentText ?? "-"
    }

    private func names(_ labels: [Int]) -> String {
        let named = labels.map { result.name($0) }
        guard named.count > 1 else { return named.first ?? "" }
        return named.dropLast().joined(separator: ", ") + " and " + named.last!
    }
}
