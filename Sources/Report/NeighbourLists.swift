import Engine
import Foundation
import Learning
import Signatures

/// Each image's nearest images in one layer's signature space (standardized as the study
/// clustered it): the list a click on a point shows as image tiles.
///
/// Computed when the page is written, from the study's `signatures.safetensors`, with the CPU
/// backend's exact `kNearest` (about 10 s for 70,000 images of 64 values); 8 per image cost the
/// page 3.5 MB at 70,000 images.
package struct NeighbourLists: Encodable {
    /// The layer whose signatures were compared.
    var layer: String
    /// Neighbours per image.
    var k: Int
    /// `images x k` indices into the view's images, nearest first.
    var indices: [Int]

    /// The neighbours of the analysis images in the deepest studied layer, or nil when the
    /// signatures file is absent or holds that layer for a different number of images.
    static func read(_ signaturesFile: URL, result: StudyResult, k: Int = 8) throws -> NeighbourLists? {
        guard let layer = result.runs.first?.layers.last, FileManager.default.fileExists(atPath: signaturesFile.path) else { return nil }
        let count = result.runs[0].analysis.images.count
        let stored: SafeTensors
        do {
            stored = try SafeTensors(decoding: Data(contentsOf: signaturesFile))
        } catch {
            throw ReportError.unreadable("\(signaturesFile.path): \(error)")
        }
        return try lists(from: stored, layer: layer, count: count, k: k)
    }

    /// The neighbours of `count` images in `layer` of a signatures file, or nil when it does not
    /// hold that layer for `count` images (or `count` is at most `k`).
    package static func lists(from stored: SafeTensors, layer: String, count: Int, k: Int = 8) throws -> NeighbourLists? {
        // Float signatures of the right shape only: a file from elsewhere may hold the layer as
        // integers (found by fuzzing: its values were empty, indexed as if full).
        guard let entry = stored.tensors[layer], entry.elementType == .float32, entry.shape.count == 2, entry.shape[0] == count,
              count > k else { return nil }
        let width = entry.shape[1]
        var values = entry.values
        if let mean = stored.tensors[layer + ".mean"]?.values, let scale = stored.tensors[layer + ".scale"]?.values,
           mean.count == width, scale.count == width {
            for row in 0..<count {
                for column in 0..<width {
                    values[row * width + column] = (values[row * width + column] - mean[column]) / scale[column]
                }
            }
        }
        let backend = CPUBackend()
        let matrix = try PointMatrix(values, rows: count, columns: width, backend: backend)
        let indices = try backend.zeros([count, k], elementType: .int32), distances = try backend.zeros([count, k])
        try backend.kNearest(queries: matrix.points, queryNorms: matrix.squaredNorms, points: matrix.points,
                             pointNorms: matrix.squaredNorms, k: k, selfOffset: 0, indices: indices, distances: distances)
        return NeighbourLists(layer: layer, k: k, indices: try backend.readIntegers(indices).map(Int.init))
    }
}
