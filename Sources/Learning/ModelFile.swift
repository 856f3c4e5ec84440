import Foundation

/// A model file's contents, as `--model FILE` reads them: a `ModelSpec` as JSON, else a layer
/// string (`conv(32,3) pool(2) flatten dense(64)`) over any number of lines, in which `#` starts
/// a comment.
public enum ModelFile: Equatable, Sendable {
    case specification(ModelSpec)
    /// The layer string with the comments removed and the lines joined by spaces.
    case layers(String)

    /// Reads a model file's bytes. Never fails: what is not a `ModelSpec` is a layer string,
    /// whose errors `ModelSpec.parse` gives.
    public init(contents data: Data) {
        if let spec = try? JSONDecoder().decode(ModelSpec.self, from: data) {
            self = .specification(spec)
            return
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        self = .layers(lines.map { $0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }
            .joined(separator: " "))
    }
}
