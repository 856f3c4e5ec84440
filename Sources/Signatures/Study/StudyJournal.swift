import Engine
import Foundation
import Learning
import SignetBuild

/// What a study has finished, recorded in its output folder as it goes (`DIR/.signet-study/`),
/// so that a killed study continues from its last finished phase (`signet study --resume DIR`)
/// instead of starting over: the settings it runs with, each seed's trained model (a checkpoint,
/// written as soon as training ends), each layer's clustering and UMAP map in each of its
/// analyses (as each is made), and each seed's finished run (its part of the result, and the
/// first seed's signatures).
///
/// Every file is written atomically, so a kill leaves each one whole or absent. What a resumed
/// study recomputes (the signatures of a seed whose model was trained, the phase a kill cut
/// short) is seeded, so its result equals an uninterrupted one but for the times. The journal is removed once the study's files
/// are written. A journal file that cannot be written stops the study, naming that file: a
/// folder that cannot take the journal (full, or read-only) will not take the result either,
/// and that is better said after training than after the whole analysis.
public struct StudyJournal: Sendable {
    /// The journal's folder inside a study's output folder.
    public static let folderName = ".signet-study"
    /// The folder the journal lives in.
    public let folder: URL
    /// The settings and backend of the journaled study.
    public let header: Header

    /// What a journal records first: the study's settings, the backend it runs on and the
    /// build of Signet running it.
    public struct Header: Codable, Equatable, Sendable {
        public var schema: String
        public var configuration: StudyConfiguration
        public var backend: BackendDescription
        public var build: SignetBuild
    }

    static let schema = "signet.study-journal/1"

    /// Starts a journal in `output` for a study of `configuration` on `backend`, in place of any
    /// earlier one.
    /// - Throws: `SignaturesError.cannotWrite`.
    public static func start(in output: URL, configuration: StudyConfiguration, backend: any Backend) throws -> StudyJournal {
        let folder = output.appendingPathComponent(folderName, isDirectory: true)
        do {
            if FileManager.default.fileExists(atPath: folder.path) { try FileManager.default.removeItem(at: folder) }
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw SignaturesError.cannotWrite(path: folder.path, reason: error.localizedDescription)
        }
        let header = Header(schema: schema, configuration: configuration, backend: Study.describe(backend), build: .current)
        try StudyFiles.save(try Self.encoder.encode(header), to: folder.appendingPathComponent("journal.json"))
        return StudyJournal(folder: folder, header: header)
    }

    /// The journal a killed study left in `output`.
    /// - Throws: `SignaturesError.invalidArgument` when there is none (or it cannot be read).
    public static func open(in output: URL) throws -> StudyJournal {
        let folder = output.appendingPathComponent(folderName, isDirectory: true)
        let file = folder.appendingPathComponent("journal.json")
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw SignaturesError.invalidArgument("\(output.path) holds no unfinished study to resume (no \(folderName)/journal.json)")
        }
        guard let header = try? Self.decoder.decode(Header.self, from: data), header.schema == schema else {
            throw SignaturesError.invalidArgument("\(file.path) is not a study journal this signet reads")
        }
        return StudyJournal(folder: folder, header: header)
    }

    /// Refuses a backend or a build other than the journaled ones: a study's numbers are exact
    /// for one backend and one build only.
    func check(backend: BackendDescription) throws {
        let study = folder.deletingLastPathComponent().path
        guard backend == header.backend else {
            throw SignaturesError.invalidArgument("the study in \(study) ran on \(header.backend.description); resume it on that device, or start it over")
        }
        guard header.build == .current else {
            throw SignaturesError.invalidArgument("the study in \(study) was started by signet \(header.build.version) (\(header.build.commit)), "
                + "this is \(SignetBuild.current.version) (\(SignetBuild.current.commit)): resume it with that build, or start it over")
        }
    }

    // MARK: Trained models

    private func modelURL(_ run: Int) -> URL { folder.appendingPathComponent("model-\(run + 1).safetensors") }

    /// Records run `run`'s (from 0) trained model.
    func recordModel(_ trainer: Trainer, run: Int) throws {
        try Checkpoint(trainer: trainer).write(to: modelURL(run))
    }

    /// Run `run`'s trained model, if it finished training; nil if not (or if it cannot be read:
    /// the run then trains again).
    func trainedModel(run: Int) -> Checkpoint? {
        guard FileManager.default.fileExists(atPath: modelURL(run).path) else { return nil }
        return try? Checkpoint.read(from: modelURL(run))
    }

    // MARK: Finished runs

    private func runURL(_ run: Int) -> URL { folder.appendingPathComponent("run-\(run + 1).json") }
    private var signaturesURL: URL { folder.appendingPathComponent("signatures-1.safetensors") }

    /// Records run `run`'s part of the result, with its signatures for the first run; its
    /// layers' records, held in the part now, are removed.
    func recordRun(_ record: StudyRun, signatures: [SignatureMatrix]?, run: Int) throws {
        if let signatures { try StudyFiles.save(try Self.encode(signatures), to: signaturesURL) }
        try StudyFiles.save(try Self.encoder.encode(record), to: runURL(run))
        let prefix = "run-\(run + 1)-analysis-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// Run `run`'s part of the result, if it finished (with the signatures, for the first run).
    func finishedRun(_ run: Int) -> (record: StudyRun, signatures: [SignatureMatrix])? {
        guard let data = FileManager.default.contents(atPath: runURL(run).path),
              let record = try? Self.decoder.decode(StudyRun.self, from: data) else { return nil }
        guard run == 0 else { return (record, []) }
        guard let stored = FileManager.default.contents(atPath: signaturesURL.path),
              let signatures = try? Self.decode(stored) else { return nil }
        return (record, signatures)
    }

    // MARK: Finished layers

    /// The part of the journal where one analysis of one run records its layers.
    func analysis(_ analysis: Int, run: Int) -> AnalysisRecords {
        AnalysisRecords(folder: folder, prefix: "run-\(run + 1)-analysis-\(analysis + 1)")
    }

    /// What one analysis has finished: each layer's clustering and map, and the input's map, in
    /// files named by positions (a layer's name is the model file's, any string).
    struct AnalysisRecords {
        let folder: URL
        let prefix: String

        /// A UMAP map with the phase times it took.
        struct TimedMap: Codable {
            var map: LayerMap
            var phases: [PhaseTime]
        }

        private func url(_ part: String) -> URL { folder.appendingPathComponent("\(prefix)-\(part).json") }
        private static func part(_ what: String, layer: Int?) -> String { layer.map { "layer-\($0 + 1)-\(what)" } ?? "input-\(what)" }

        /// The clustering of the layer at `layer` (from 0), if it was recorded.
        func clustering(layer: Int) -> LayerClustering? { read(Self.part("clustering", layer: layer)) }

        func record(_ clustering: LayerClustering, layer: Int) throws { try write(clustering, Self.part("clustering", layer: layer)) }

        /// The map of the layer at `layer`, or of the input for nil, if it was recorded.
        func map(layer: Int?) -> TimedMap? { read(Self.part("map", layer: layer)) }

        func record(_ map: TimedMap, layer: Int?) throws { try write(map, Self.part("map", layer: layer)) }

        /// Nil when absent or unreadable: that part is then computed again.
        private func read<Value: Decodable>(_ part: String) -> Value? {
            guard let data = FileManager.default.contents(atPath: url(part).path) else { return nil }
            return try? StudyJournal.decoder.decode(Value.self, from: data)
        }

        private func write(_ value: some Encodable, _ part: String) throws {
            try StudyFiles.save(try StudyJournal.encoder.encode(value), to: url(part))
        }
    }

    /// Removes the journal: the study's files are written.
    public func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    // MARK: Encoding

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// Signature matrices as safetensors: each layer's values, and its standardization in float64
    /// bits (two int32 words per value) so that it comes back exactly.
    static func encode(_ matrices: [SignatureMatrix]) throws -> Data {
        var tensors: [String: SafeTensors.Entry] = [:]
        for matrix in matrices {
            tensors[matrix.layer] = SafeTensors.Entry(shape: [matrix.rows, matrix.width], values: matrix.values)
            if let mean = matrix.mean, let scale = matrix.scale {
                tensors[matrix.layer + ".mean"] = SafeTensors.Entry(shape: [matrix.width, 2], integers: words(mean))
                tensors[matrix.layer + ".scale"] = SafeTensors.Entry(shape: [matrix.width, 2], integers: words(scale))
            }
        }
        return try SafeTensors(tensors: tensors, metadata: ["signet.layers": matrices.map(\.layer).joined(separator: ",")]).encoded()
    }

    static func decode(_ data: Data) throws -> [SignatureMatrix] {
        let file = try SafeTensors(decoding: data)
        let layers = (file.metadata["signet.layers"] ?? "").split(separator: ",").map(String.init)
        return try layers.map { layer in
            guard let entry = file.tensors[layer], entry.shape.count == 2 else {
                throw SignaturesError.invalidArgument("the journal's signatures lack \(layer)")
            }
            return SignatureMatrix(layer: layer, rows: entry.shape[0], width: entry.shape[1], values: entry.values,
                                   mean: file.tensors[layer + ".mean"].map { doubles($0.integers) },
                                   scale: file.tensors[layer + ".scale"].map { doubles($0.integers) })
        }
    }

    private static func words(_ values: [Double]) -> [Int32] {
        values.flatMap { value in
            let bits = value.bitPattern
            return [Int32(truncatingIfNeeded: bits >> 32), Int32(truncatingIfNeeded: bits)]
        }
    }

    private static func doubles(_ words: [Int32]) -> [Double] {
        stride(from: 0, to: words.count - 1, by: 2).map { i in
            Double(bitPattern: UInt64(UInt32(bitPattern: words[i])) << 32 | UInt64(UInt32(bitPattern: words[i + 1])))
        }
    }
}
