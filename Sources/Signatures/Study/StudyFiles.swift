import Foundation
import Learning

/// The files of a study, written into one folder, each atomically (a reader never sees half a file):
///
/// - `result.json`: the `StudyResult`, every figure and every image's path;
/// - `signatures.safetensors`: per studied layer the raw signatures of the first run's analysis set
///   (`<layer>`, `rows x width`), the mean and standard deviation it was standardized with
///   (`<layer>.mean`, `<layer>.scale`), and per row `labels`, `split` (0 train, 1 test) and `index`
///   (in its split's files), readable by Python's `safetensors`;
/// - `paths.csv`: one row per analysed image per analysis and run, for pandas.
public enum StudyFiles {
    public static let resultName = "result.json"
    public static let signaturesName = "signatures.safetensors"
    public static let pathsName = "paths.csv"

    /// Writes the three files into `folder`, creating it if needed, as one: each is written in
    /// full beside its final name first, and only once all three are, they are renamed into
    /// place, `result.json` last (the mark of a complete study; the old one is removed first).
    /// A disk that fills up leaves an earlier study's three files as they were; a kill between
    /// the renames leaves no `result.json`, never the new result beside the old signatures.
    /// - Throws: `SignaturesError.cannotWrite` with the path and the reason.
    public static func write(_ outcome: StudyOutcome, to folder: URL) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw SignaturesError.cannotWrite(path: folder.path, reason: error.localizedDescription)
        }
        let files = [(resultName, try resultJSON(outcome.result)), (signaturesName, try signatures(outcome)),
                     (pathsName, Data(pathsCSV(outcome.result).utf8))]
        // Files an earlier write staged and a kill left: `.<name>.<tag>`.
        let left = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in left where files.contains(where: { name.hasPrefix(".\($0.0).") }) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
        var staged: [(temporary: URL, final: URL)] = []
        // Whatever was staged and not renamed (a write that failed) is removed.
        defer { for file in staged { try? FileManager.default.removeItem(at: file.temporary) } }
        let tag = UUID().uuidString
        for (name, data) in files {
            let final = folder.appendingPathComponent(name), temporary = folder.appendingPathComponent(".\(name).\(tag)")
            staged.append((temporary, final))
            do {
                try data.write(to: temporary)
            } catch {
                throw SignaturesError.cannotWrite(path: final.path, reason: error.localizedDescription)
            }
        }
        // result.json is staged first and renamed last; until then there is none.
        if FileManager.default.fileExists(atPath: staged[0].final.path) {
            guard unlink(staged[0].final.path) == 0 else {
                throw SignaturesError.cannotWrite(path: staged[0].final.path, reason: String(cString: strerror(errno)))
            }
        }
        while let file = staged.last {
            guard rename(file.temporary.path, file.final.path) == 0 else {
                throw SignaturesError.cannotWrite(path: file.final.path, reason: String(cString: strerror(errno)))
            }
            staged.removeLast()
        }
    }

    /// The result as `result.json` holds it: pretty-printed, keys sorted.
    public static func resultJSON(_ result: StudyResult) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(result)
    }

    /// Reads a `result.json`, refusing another schema.
    /// - Throws: `SignaturesError.invalidArgument` for a file of another schema; decoding errors.
    public static func readResult(from url: URL) throws -> StudyResult {
        try decodeResult(Data(contentsOf: url), file: url.path)
    }

    /// A `result.json`'s bytes as a result; `file` names them in errors.
    /// - Throws: decoding errors; `SignaturesError.invalidArgument` for another schema.
    public static func decodeResult(_ data: Data, file: String) throws -> StudyResult {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let result = try decoder.decode(StudyResult.self, from: data)
        guard result.schema == StudyResult.currentSchema else {
            throw SignaturesError.invalidArgument("\(file) has schema \(result.schema); this signet reads \(StudyResult.currentSchema)")
        }
        do { try result.checkConsistency() } catch let error as SignaturesError {
            throw SignaturesError.invalidArgument("\(file) is \(error.description)")
        }
        return result
    }

    static func signatures(_ outcome: StudyOutcome) throws -> Data {
        var tensors: [String: SafeTensors.Entry] = [:]
        for matrix in outcome.signatures {
            tensors[matrix.layer] = SafeTensors.Entry(shape: [matrix.rows, matrix.width], values: matrix.values)
            if let mean = matrix.mean, let scale = matrix.scale {
                tensors[matrix.layer + ".mean"] = SafeTensors.Entry(shape: [matrix.width], values: mean.map(Float.init))
                tensors[matrix.layer + ".scale"] = SafeTensors.Entry(shape: [matrix.width], values: scale.map(Float.init))
            }
        }
        if let images = outcome.result.runs.first?.analysis.images {
            tensors["labels"] = SafeTensors.Entry(shape: [images.count], integers: images.map { Int32($0.label) })
            tensors["split"] = SafeTensors.Entry(shape: [images.count], integers: images.map { $0.split == .train ? 0 : 1 })
            tensors["index"] = SafeTensors.Entry(shape: [images.count], integers: images.map { Int32($0.index) })
        }
        let metadata = ["signet.schema": StudyResult.currentSchema,
                        "signet.layers": outcome.signatures.map(\.layer).joined(separator: ","),
                        "signet.dataset": outcome.result.configuration.data.dataset.rawValue]
        return try SafeTensors(tensors: tensors, metadata: metadata).encoded()
    }

    /// `seed,analysis,split,index,label,label_name,<layer>...,prediction,prediction_name`.
    static func pathsCSV(_ result: StudyResult) -> String {
        let layers = result.runs.first?.layers ?? []
        var lines = [(["seed", "analysis", "split", "index", "label", "label_name"] + layers + ["prediction", "prediction_name"])
            .map(csvField).joined(separator: ",")]
        for run in result.runs {
            for analysis in [run.analysis] + run.inserted {
                for image in analysis.images {
                    let fields = [String(run.seed), analysis.name, image.split.rawValue, String(image.index), String(image.label),
                                  result.name(image.label)] + image.clusters.map(String.init)
                        + [String(image.prediction), result.name(image.prediction)]
                    lines.append(fields.map(csvField).joined(separator: ","))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Writes `data` to `url` atomically.
    public static func save(_ data: Data, to url: URL) throws {
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw SignaturesError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }
}
