import CommandLineFiles
import Datasets
import Foundation
import Learning
import OpenCL
import Report
import Signatures

/// One entry per parser of outside input, each taking any bytes: what the fuzz targets
/// (`Fuzz/`) call with libFuzzer's inputs and what `FuzzRegressionTests` replays the saved
/// inputs through. An entry may throw (bad input is refused as an error) but must never trap,
/// hang or leak, whatever the bytes.
///
/// Each entry goes as far as the command line goes with a file that parses: a model description
/// is given its shapes, a result is rendered as its report page, a signatures file is searched
/// for neighbours.
public enum FuzzEntryPoints {
    /// The parsers, by the name of their fuzz target and corpus folder.
    public static let targets: [String: @Sendable (Data) throws -> Void] = [
        "idx": idx, "gzip-idx": gzipIDX, "safetensors": safeTensors, "checkpoint": checkpoint,
        "model-description": modelDescription, "study-config": studyConfig, "study-result": studyResult,
        "program-cache": programCache,
    ]

    /// A raw IDX file, read as images and as labels; an error when it is neither.
    public static func idx(_ data: Data) throws {
        try data.withUnsafeBytes(readIDX)
    }

    /// A gzip-compressed IDX file, as MNIST ships: inflated, then read as `idx` reads it.
    public static func gzipIDX(_ data: Data) throws {
        try GzipReader.decompress(data, file: "input").withBytes(readIDX)
    }

    private static func readIDX(_ bytes: UnsafeRawBufferPointer) throws {
        let images = Result { try IDXReader.images(in: bytes, file: "input") }
        let labels = Result { try IDXReader.labels(in: bytes, file: "input") }
        if case let .failure(error) = images, case .failure = labels { throw error }
    }

    /// A safetensors file, and the report's use of a study's signatures file: the neighbours in
    /// every two-dimensional tensor of a layer's name, in name order (a dictionary's order
    /// changes from process to process, and a finding must replay).
    public static func safeTensors(_ data: Data) throws {
        let file = try SafeTensors(decoding: data)
        for (name, entry) in file.tensors.sorted(by: { $0.key < $1.key })
        where entry.shape.count == 2 && !name.contains(".") && entry.shape[0] <= 4096 {
            _ = try NeighbourLists.lists(from: file, layer: name, count: entry.shape[0], k: 2)
        }
    }

    /// A checkpoint: validated, its model given its shapes and memory (built, weights and all,
    /// when small: see `modelDescription`).
    public static func checkpoint(_ data: Data) throws {
        let checkpoint = try Checkpoint.decode(data, path: "input")
        guard isSmall(checkpoint.model) else { return }
        _ = try ModelSummary(spec: checkpoint.model, batch: checkpoint.configuration.batchSize,
                             optimizer: checkpoint.configuration.optimizer)
    }

    /// A model file, as `--model FILE` reads it: ModelSpec JSON, else a layer string; either way
    /// given its shapes for MNIST's 28x28 images and 10 classes.
    public static func modelDescription(_ data: Data) throws {
        let spec: ModelSpec
        switch ModelFile(contents: data) {
        case let .specification(decoded): spec = decoded
        case let .layers(text): spec = try ModelSpec.parse(text, inputShape: [28, 28, 1], classes: 10)
        }
        // The summary builds the model for real, weights and all, as `signet summary` does: a
        // model of gigabytes takes gigabytes, which is no bug but would stop the fuzzer at its
        // memory limit. Only models of at most a few million weights are built here.
        if isSmall(spec) {
            _ = try ModelSummary(spec: spec, batch: 32, optimizer: TrainingConfiguration().optimizer)
        }
    }

    /// At most 4,096 input values and layers of at most 64 units or 16 filters: no layer's
    /// output past 4,096 x 16 values (strides never enlarge a map), so no dense layer past
    /// 4.2 million weights. (Drawing the weights is most of a build: with layers of up to 256
    /// units, 67 million weights, it was three quarters of the fuzzer's time, at 1,400 inputs a
    /// second; the parser and the layers' geometry run the same at either size.)
    private static func isSmall(_ spec: ModelSpec) -> Bool {
        spec.inputShape.reduce(1, ModelSummary.product) <= 4096 && spec.layers.allSatisfy { layer in
            switch layer {
            case let .dense(_, units, _, _): return units <= 64
            case let .conv2d(_, filters, _, _, _, _): return filters <= 16
            default: return true
            }
        }
    }

    /// A study's `--config` file, translated to flags.
    public static func studyConfig(_ data: Data) throws {
        _ = try StudyConfigFile.arguments(from: data, file: "input")
    }

    /// A study's `result.json`, as `signet report` and `signet sweep` read it: decoded, its page
    /// rendered, its summary printed, its sweep entry made.
    public static func studyResult(_ data: Data) throws {
        let result = try StudyFiles.decodeResult(data, file: "input")
        _ = try ExperimentPage(result: result, indexLink: nil).render(images: nil, sheetFolder: "sprites", neighbours: nil)
        _ = StudySummary(result).text
        _ = SweepEntry(name: "input", result: result, seconds: 0, reused: true)
    }

    /// A program-cache entry, checked against a descriptor as a cache lookup does; an error when
    /// it is not an entry for that descriptor.
    public static func programCache(_ data: Data) throws {
        let bytes = [UInt8](data)
        // The entry's own descriptor too, as a crafted entry would claim it.
        let claimed = bytes.count > 16 ? CacheEntry.decode(bytes, expecting: Array(bytes[16..<min(bytes.count, 37)])) : nil
        guard CacheEntry.decode(bytes, expecting: Array("device|options|source".utf8)) != nil || claimed != nil else {
            throw CacheEntryRefused()
        }
    }

    /// What `programCache` throws for bytes the cache would not trust (the cache itself says nil).
    public struct CacheEntryRefused: Error {}
}
