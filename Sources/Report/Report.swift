import Datasets
import Foundation
import Signatures

/// The browsable report of a study or a sweep: static pages that open from disk in any browser,
/// with no network and no server.
///
/// A study folder (`result.json`) gets `index.html`, its page; a sweep folder (`index.json`)
/// gets `index.html`, the list of its experiments, and `<experiment>/index.html` each. Digit
/// images go in `sprites/sheet-N.png` beside each page, when the dataset is found (else the
/// pages show no images), and a click on an image lists its nearest ones in signature space when
/// the folder holds the study's `signatures.safetensors`. Every file is written atomically, the
/// page last.
public enum Report {
    /// The page's file name in each folder.
    public static let pageName = "index.html"
    /// The folder of a page's sprite sheets, beside it.
    public static let spriteFolder = "sprites"

    /// Writes the report of `folder`: a study's page, or a sweep's index and pages.
    /// - Returns: the top page written.
    /// - Throws: `ReportError.nothingToReport` when the folder holds neither a study result nor
    ///   a sweep index; `.unreadable` for one that cannot be read; write errors.
    @discardableResult
    public static func write(folder: URL, store: DatasetStore = DatasetStore()) throws -> URL {
        let resultURL = folder.appendingPathComponent(StudyFiles.resultName)
        let indexURL = folder.appendingPathComponent(Sweep.indexName)
        let manager = FileManager.default
        if manager.fileExists(atPath: resultURL.path) {
            return try writeStudy(readResult(resultURL), to: folder, store: store)
        }
        guard manager.fileExists(atPath: indexURL.path) else {
            throw ReportError.nothingToReport("\(folder.path) holds no \(StudyFiles.resultName) (a study) or \(Sweep.indexName) (a sweep)")
        }
        let index: SweepIndex
        do {
            index = try JSONDecoder().decode(SweepIndex.self, from: Data(contentsOf: indexURL))
        } catch {
            throw ReportError.unreadable("\(indexURL.path) is not a sweep index: \(error.localizedDescription)")
        }
        return try writeSweep(index, to: folder, store: store)
    }

    /// Writes one study's page, `folder/index.html`, with its sprite sheets.
    /// - Parameter indexLink: the sweep's index page relative to this one, linked from it.
    @discardableResult
    public static func writeStudy(_ result: StudyResult, to folder: URL, indexLink: String? = nil,
                                  store: DatasetStore = DatasetStore()) throws -> URL {
        let images = Self.images(for: result, store: store)
        let neighbours = try NeighbourLists.read(folder.appendingPathComponent(StudyFiles.signaturesName), result: result)
        let (html, sheets) = try ExperimentPage(result: result, indexLink: indexLink)
            .render(images: images, sheetFolder: spriteFolder, neighbours: neighbours)
        if !sheets.isEmpty {
            let sprites = folder.appendingPathComponent(spriteFolder, isDirectory: true)
            try createFolder(sprites)
            for (number, sheet) in sheets.enumerated() {
                try StudyFiles.save(sheet, to: sprites.appendingPathComponent(SpriteSheets.fileName(number)))
            }
        }
        let page = folder.appendingPathComponent(pageName)
        try StudyFiles.save(Data(html.utf8), to: page)
        return page
    }

    /// Writes a sweep's pages: each experiment's, then the index.
    @discardableResult
    public static func writeSweep(_ index: SweepIndex, to folder: URL, store: DatasetStore = DatasetStore()) throws -> URL {
        // An index from elsewhere may name anything: only a folder inside this one is read.
        if let bad = index.entries.first(where: { $0.name.isEmpty || $0.name.contains("/") || $0.name.hasPrefix(".") }) {
            throw ReportError.unreadable("\(folder.appendingPathComponent(Sweep.indexName).path) names an experiment '\(bad.name)' that is not a folder of the sweep")
        }
        for entry in index.entries {
            let experiment = folder.appendingPathComponent(entry.name, isDirectory: true)
            let result = try readResult(experiment.appendingPathComponent(StudyFiles.resultName))
            try writeStudy(result, to: experiment, indexLink: "../\(pageName)", store: store)
        }
        let page = folder.appendingPathComponent(pageName)
        try StudyFiles.save(Data(try IndexPage(entries: index.entries).render().utf8), to: page)
        return page
    }

    /// The dataset splits the study's images come from, or nil when the dataset is not found:
    /// the page is still written, without images.
    static func images(for result: StudyResult, store: DatasetStore) -> [Split: LabeledImages]? {
        let splits = Set(([result.runs[0].analysis] + result.runs[0].inserted).flatMap { $0.images.map(\.split) })
        var loaded: [Split: LabeledImages] = [:]
        for split in splits {
            guard let images = try? store.load(result.configuration.data.dataset, split: split) else { return nil }
            loaded[split] = images
        }
        return loaded
    }

    private static func readResult(_ url: URL) throws -> StudyResult {
        do {
            return try StudyFiles.readResult(from: url)
        } catch {
            throw ReportError.unreadable("\(url.path): \(error)")
        }
    }

    private static func createFolder(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw SignaturesError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }
}
