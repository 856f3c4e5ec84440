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

    /// A raw IDX file, read both as images and as labels.
    public static func idx(_ data: Data) throws {
        data.withUnsafeBytes { bytes in
            _ = try? IDXReader.images(in: bytes, file: "input")
            _ = try? IDXReader.labels(in: bytes, file: "input")
        }
    }

    /// A gzip-compressed IDX file, as MNIST ships: inflated, then read as images and as labels.
    public static func gzipIDX(_ data: Data) throws {
        let inflated = try GzipReader.decompress(data, file: "input")
        inflated.withBytes { bytes in
            _ = try? IDXReader.images(in: bytes, file: "input")
            _ = try? IDXReader.labels(in: bytes, file: "input")
        }
    }

    /// A safetensors file: every tensor's values read as its type says.
    public static func safeTensors(_ data: Data) throws {
        let file = try SafeTensors(decoding: data)
        for entry in file.tensors.values {
            _ = entry.shape.reduce(1, &*)
        }
        // The report's use of a signatures file: neighbours in the deepest layer.
        if let layer = file.tensors.first(where: { $0.value.shape.count == 2 && !$0.key.contains(".") }),
           layer.value.shape[0] <= 4096 {
            _ = try NeighbourLists.lists(from: file, layer: layer.key, count: layer.value.shape[0], k: 2)
        }
    }

    /// A checkpoint: validated, its model given its shapes and memory (nothing allocated).
    public static func checkpoint(_ data: Data) throws {
        let checkpoint = try Checkpoint.decode(data, path: "input")
        guard checkpoint.model.layers.allSatisfy(isSmall) else { return }
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
        // memory limit. Only models of at most tens of megabytes are built here.
        if spec.layers.allSatisfy(isSmall) {
            _ = try ModelSummary(spec: spec, batch: 32, optimizer: TrainingConfiguration().optimizer)
        }
    }

    /// A layer of at most 256 units or 64 filters, or one without weights.
    private static func isSmall(_ layer: LayerSpec) -> Bool {
        switch layer {
        case let .dense(_, units, _, _): return units <= 256
        case let .conv2d(_, filters, _, _, _, _): return filters <= 64
        default: return true
        }
    }

    /// A study's `--config` file, translated to flags.
    public static func studyConfig(_ data: Data) throws {
        _ = try StudyConfigFile.arguments(from: data, file: "input")
    }

    /// A study's `result.json`, as `signet report` reads it: decoded, then its page rendered.
    public static func studyResult(_ data: Data) throws {
        let result = try StudyFiles.decodeResult(data, file: "input")
        _ = try ExperimentPage(result: result, indexLink: nil).render(images: nil, sheetFolder: "sprites", neighbours: nil)
    }

    /// A program-cache entry, checked against a descriptor as a cache lookup does.
    public static func programCache(_ data: Data) throws {
        let bytes = [UInt8](data)
        _ = CacheEntry.decode(bytes, expecting: Array("device|options|source".utf8))
        // The entry's own descriptor, as a crafted entry would claim it.
        if bytes.count > 16 {
            _ = CacheEntry.decode(bytes, expecting: Array(bytes[16..<min(bytes.count, 48)]))
        }
    }
}
