import Foundation
@testable import Report
@testable import Signatures
import Learning
import SharedTestData
import Testing

/// The pages as files: what the study's page holds for its script, its sprite sheets, the
/// sweep's index, and the refusals. The browser tests check what a person sees.
@Suite("Report pages")
struct ReportPageTests {
    /// The JSON inlined in a page, parsed back.
    static func payload(_ page: URL) throws -> [String: Any] {
        let html = try String(contentsOf: page, encoding: .utf8)
        let open = try #require(html.range(of: "<script type=\"application/json\" id=\"signet-data\">"))
        let close = try #require(html.range(of: "</script>", range: open.upperBound..<html.endIndex))
        let json = String(html[open.upperBound..<close.lowerBound])
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test func theStudyPageHoldsEveryImageOfEveryView() throws {
        let written = try ReportFixture.written()
        let data = try Self.payload(written.page)
        let views = try #require(data["views"] as? [[String: Any]])
        let analyses = [written.result.runs[0].analysis] + written.result.runs[0].inserted
        #expect(views.count == analyses.count)
        for (view, analysis) in zip(views, analyses) {
            let points = try #require(view["points"] as? [String: Any])
            #expect(points["label"] as? [Int] == analysis.images.map(\.label))
            #expect(points["prediction"] as? [Int] == analysis.images.map(\.prediction))
            let clusters = try #require(points["clusters"] as? [[Int]])
            #expect(clusters.count == analysis.layers.count)
            for (l, column) in clusters.enumerated() { #expect(column == analysis.images.map { $0.clusters[l] }) }
            let layers = try #require(view["layers"] as? [[String: Any]])
            for (layer, expected) in zip(layers, analysis.layers) {
                let map = try #require(layer["map"] as? [String: Any])
                let x = try #require(map["x"] as? [Int]), y = try #require(map["y"] as? [Int])
                #expect(x.count == analysis.images.count && y.count == analysis.images.count)
                #expect(x.allSatisfy { (0...9999).contains($0) } && y.allSatisfy { (0...9999).contains($0) })
                // One scale for both axes: the longer side spans 0 ... 9999.
                #expect(max(x.max()! - x.min()!, y.max()! - y.min()!) == 9999)
                #expect(layer["k"] as? Int == expected.k)
            }
        }
        // The questions are answered in the page itself, not only by the script.
        let html = try String(contentsOf: written.page, encoding: .utf8)
        #expect(html.contains("From which layer does the model separate the digits?"))
        // Nothing loaded from the network: no remote script, style, image or fetch.
        for remote in ["src=\"http", "href=\"http", "url(http", "fetch(", "@import"] {
            #expect(!html.contains(remote), "the page must need no network: \(remote)")
        }
    }

    @Test func theSpriteSheetsHoldEveryImageOnce() throws {
        let written = try ReportFixture.written()
        let data = try Self.payload(written.page)
        let sprites = try #require(data["sprites"] as? [String: Any])
        let sheets = try #require(sprites["sheets"] as? [String])
        let slots = Set(([written.result.runs[0].analysis] + written.result.runs[0].inserted).flatMap { $0.images.map { "\($0.split)\($0.index)" } })
        #expect(sheets.count == (slots.count + SpriteSheets.tilesPerSheet - 1) / SpriteSheets.tilesPerSheet)
        for sheet in sheets {
            let png = try Data(contentsOf: written.folder.appendingPathComponent(sheet))
            #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
            // IHDR's width and height: at most 2048 px a side.
            let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
            #expect(width <= 2048 && height <= 2048 && width % 28 == 0 && height % 28 == 0)
        }
    }

    /// A click lists each image's nearest images in the deepest layer's standardized signatures:
    /// checked against distances computed here in float64.
    @Test func theNeighbourListsAreTheNearestInSignatureSpace() throws {
        let written = try ReportFixture.written()
        let views = try #require(try Self.payload(written.page)["views"] as? [[String: Any]])
        let lists = try #require(views[0]["neighbours"] as? [String: Any])
        let signature = try #require(written.signatures.last)
        #expect(lists["layer"] as? String == signature.layer)
        let k = try #require(lists["k"] as? Int), indices = try #require(lists["indices"] as? [Int])
        #expect(indices.count == k * signature.rows)
        let mean = try #require(signature.mean), scale = try #require(signature.scale), d = signature.width
        let standardized = (0..<signature.rows).map { i in
            (0..<d).map { (Double(signature.values[i * d + $0]) - mean[$0]) / scale[$0] }
        }
        func distance(_ a: Int, _ b: Int) -> Double { zip(standardized[a], standardized[b]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }
        for i in stride(from: 0, to: signature.rows, by: 37) {
            let listed = Array(indices[i * k..<(i + 1) * k])
            #expect(!listed.contains(i), "an image is not its own neighbour")
            let exact = (0..<signature.rows).filter { $0 != i }.map { distance(i, $0) }.sorted()
            // The k-th listed distance is the k-th smallest (to float32 rounding).
            #expect(abs(distance(i, listed[k - 1]) - exact[k - 1]) <= 1e-3 * max(1, exact[k - 1]))
            #expect(zip(listed, listed.dropFirst()).allSatisfy { distance(i, $0) <= distance(i, $1) + 1e-4 })
        }
        #expect(views.dropFirst().allSatisfy { $0["neighbours"] == nil || $0["neighbours"] is NSNull })
    }

    @Test func inlinedJSONCannotCloseItsScriptElement() throws {
        let text = try PageJSON.inline(["note": "</script><b>"])
        #expect(!text.contains("</"))
        let back = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]
        #expect(back?["note"] == "</script><b>")
    }

    @Test func aSweepGetsAnIndexLinkingEachExperiment() throws {
        let written = try ReportFixture.written()
        let sweep = FileManager.default.temporaryDirectory.appendingPathComponent("signet-sweep-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: sweep) }
        var entries: [SweepEntry] = []
        for name in ["17-small", "17-again"] {
            let folder = sweep.appendingPathComponent(name, isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try StudyFiles.save(try StudyFiles.resultJSON(written.result), to: folder.appendingPathComponent(StudyFiles.resultName))
            entries.append(SweepEntry(name: name, result: written.result, seconds: 1.5, reused: false))
        }
        try StudyFiles.save(try Sweep.json(SweepIndex(entries: entries)), to: sweep.appendingPathComponent(Sweep.indexName))
        let page = try Report.write(folder: sweep, store: ReportFixture.store())
        #expect(page == sweep.appendingPathComponent("index.html"))
        let index = try String(contentsOf: page, encoding: .utf8)
        for name in ["17-small", "17-again"] {
            #expect(index.contains("href=\"\(name)/index.html\""))
            let experiment = try String(contentsOf: sweep.appendingPathComponent("\(name)/index.html"), encoding: .utf8)
            #expect(experiment.contains("href=\"../index.html\""))
        }
    }

    @Test func aFolderWithNothingToReportIsRefusedInOneLine() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("signet-empty-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: ReportError.nothingToReport("\(empty.path) holds no result.json (a study) or index.json (a sweep)")) {
            try Report.write(folder: empty)
        }
        try StudyFiles.save(Data("{not json".utf8), to: empty.appendingPathComponent(StudyFiles.resultName))
        let error = #expect(throws: ReportError.self) { try Report.write(folder: empty) }
        #expect(error.map { "\($0)" }?.contains("result.json") == true)
        #expect(!FileManager.default.fileExists(atPath: empty.appendingPathComponent("index.html").path))
    }

    @Test("A result.json whose parts do not fit together is refused in one line, and no page is written",
          arguments: ["no run", "cluster past k", "k of 0", "map not finite", "map too short", "negative index", "notable past the images",
                      "seeds past 64 bits", "model input past Int"])
    func anInconsistentResultIsRefused(fault: String) throws {
        var result = try ReportFixture.written().result
        var analysis = result.runs[0].analysis
        let expected: String
        switch fault {
        case "no run":
            result.runs = []
            expected = "it holds no run"
        case "cluster past k":
            analysis.images[5].clusters[1] = analysis.layers[1].k
            expected = "image 5 is in cluster \(analysis.layers[1].k) of hidden_2"
        case "k of 0":
            analysis.layers[0].k = 0
            expected = "layer hidden_1 has k = 0"
        case "map not finite":
            analysis.layers[0].map!.coordinates[3] = .nan
            expected = "the map of hidden_1 has a coordinate that is not finite"
        case "map too short":
            analysis.layers[1].map!.coordinates.removeLast(2)
            expected = "the map of hidden_2 has \(2 * analysis.images.count - 2) coordinates for \(analysis.images.count) images"
        case "negative index":
            analysis.images[0].index = -1
            expected = "image 0 has index -1"
        case "notable past the images":
            analysis.paths.notable.append(NotableImage(layer: "hidden_1", image: analysis.images.count, label: 1, cluster: 0, clusterMajority: 7))
            expected = "a notable image \(analysis.images.count) of \(analysis.images.count)"
        case "model input past Int":
            result.runs[0].model.spec = ModelSpec(inputShape: [1 << 32, 1 << 32], layers: result.runs[0].model.spec.layers)
            expected = "run 1's model takes input [4294967296, 4294967296]"
        default:
            result.configuration.seed = .max
            result.configuration.seeds = 2
            expected = "2 seeds from seed \(UInt64.max)"
        }
        if !result.runs.isEmpty { result.runs[0].analysis = analysis }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("signet-inconsistent-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try StudyFiles.save(StudyFiles.resultJSON(result), to: folder.appendingPathComponent(StudyFiles.resultName))
        let error = #expect(throws: ReportError.self) { try Report.write(folder: folder, store: ReportFixture.store()) }
        let message = error.map { "\($0)" } ?? ""
        #expect(message.contains("is an inconsistent study result: ") && message.contains(expected), "\(message)")
        #expect(!message.contains("\n"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("index.html").path))
    }

    /// Seeds that end at the last 64-bit seed are a valid study: its page and summary name them.
    @Test func seedsEndingAtTheLastSeedAreReported() throws {
        var result = try ReportFixture.written().result
        result.configuration.seed = .max - 1
        result.configuration.seeds = 2
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("signet-last-seed-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try StudyFiles.save(StudyFiles.resultJSON(result), to: folder.appendingPathComponent(StudyFiles.resultName))
        let page = try Report.write(folder: folder, store: ReportFixture.store())
        #expect(try String(contentsOf: page, encoding: .utf8).contains("\(UInt64.max - 1) ... \(UInt64.max)"))
        #expect(StudySummary(result).text.contains("2 seeds (\(UInt64.max - 1) ... \(UInt64.max))"))
    }

    /// A sweep index from elsewhere names its experiments' folders: one outside the sweep's
    /// folder (`../x`) is refused, and nothing is written outside it.
    @Test func aSweepIndexNamingAFolderOutsideIsRefused() throws {
        let result = try ReportFixture.written().result
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("signet-escape-\(UUID().uuidString)", isDirectory: true)
        let folder = parent.appendingPathComponent("sweep", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: parent) }
        let index = SweepIndex(entries: [SweepEntry(name: "../escape", result: result, seconds: 0, reused: false)])
        try StudyFiles.save(Sweep.json(index), to: folder.appendingPathComponent(Sweep.indexName))
        let error = #expect(throws: ReportError.self) { try Report.write(folder: folder, store: ReportFixture.store()) }
        #expect(error.map { "\($0)" }?.contains("names an experiment '../escape' that is not a folder of the sweep") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["sweep"])
    }

    /// A study that does not fit on the disk, written over an earlier study's folder: the
    /// earlier study's three files stay as they were, byte for byte, and nothing else is left
    /// (the new files are staged in full before any is renamed into place).
    @Test func aStudyThatDoesNotFitLeavesTheEarlierOneWhole() throws {
        let written = try ReportFixture.written()
        let earlier = StudyOutcome(result: written.result, signatures: written.signatures)
        var later = earlier
        later.result.configuration.seed = 99
        try SmallDisk.with(kilobytes: 8192) { disk in
            let folder = disk.folder.appendingPathComponent("study")
            try StudyFiles.write(earlier, to: folder)
            let names = [StudyFiles.resultName, StudyFiles.signaturesName, StudyFiles.pathsName]
            let before = try names.map { try Data(contentsOf: folder.appendingPathComponent($0)) }
            // Room for the new result.json, not for the signatures after it.
            try disk.fill(leaving: before[0].count + before[1].count / 2)
            #expect(throws: SignaturesError.self) { try StudyFiles.write(later, to: folder) }
            #expect(try names.map { try Data(contentsOf: folder.appendingPathComponent($0)) } == before)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == names.sorted(), "no staged file left")
        }
    }
}
