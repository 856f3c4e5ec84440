import Foundation

/// How rare an image's path (its cluster in each layer) is among the analysis images' paths:
/// the anomaly score `-ln((c + 1) / (n + 1))`, with `c` the number of the `n` analysis paths equal
/// to it. A path no analysis image took scores `ln(n + 1)`, the most; the commonest path the least.
/// The `+ 1`s keep the score finite for unseen paths and rank them above paths seen once.
public struct PathRarity: Sendable {
    /// The number of layers in every path.
    public let layers: Int
    /// The number of analysis paths.
    public let analysisCount: Int
    private let pathCounts: [[Int]: Int]

    /// Counts the distinct paths of the analysis images.
    ///
    /// - Parameter analysisPaths: one path per analysis image: its cluster in each layer.
    /// - Throws: `SignaturesError.insufficientData` when there are no paths, `.invalidArgument`
    ///   when paths have no layer, `.sizeMismatch` when paths differ in length.
    /// - Complexity: O(n * layers) expected.
    public init(analysisPaths: [[Int]]) throws {
        guard let first = analysisPaths.first else { throw SignaturesError.insufficientData("no analysis paths to compare with") }
        guard !first.isEmpty else { throw SignaturesError.invalidArgument("a path needs at least one layer") }
        if let bad = analysisPaths.firstIndex(where: { $0.count != first.count }) {
            throw SignaturesError.sizeMismatch("analysis path \(bad) has \(analysisPaths[bad].count) layers, path 0 has \(first.count)")
        }
        layers = first.count
        analysisCount = analysisPaths.count
        pathCounts = analysisPaths.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    /// The number of analysis paths exactly equal to `path`.
    public func occurrences(of path: [Int]) -> Int { pathCounts[path] ?? 0 }

    /// The rarity score of one placed path.
    ///
    /// - Throws: `SignaturesError.sizeMismatch` when `path` does not have `layers` clusters.
    /// - Complexity: O(layers) expected.
    public func score(_ path: [Int]) throws -> Double {
        guard path.count == layers else {
            throw SignaturesError.sizeMismatch("a path of \(path.count) layers scored against paths of \(layers)")
        }
        return -log(Double(occurrences(of: path) + 1) / Double(analysisCount + 1))
    }

    /// The rarity scores of several placed paths, in order.
    public func scores(_ paths: [[Int]]) throws -> [Double] {
        try paths.map(score)
    }
}
