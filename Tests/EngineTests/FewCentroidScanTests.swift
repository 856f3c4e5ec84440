@testable import Engine
import Testing

/// The CPU backend's scan of a few centroids by dots (`FewCentroidScan`) against its panel scan
/// (`HostPanelProducts.nearestTwo`), which it replaces for k <= `FewCentroidScan.largestK`.
@Suite("few-centroid scan")
struct FewCentroidScanTests {
    /// Four rows at a time give each row's `VectorMath.dot`, bit for bit: the scan takes four
    /// listed points at a time and the last few one by one, and a point's distance must not
    /// depend on where it falls in the list. d = 1, 17, 33 and 65 leave a tail past the 16- and
    /// 32-value steps.
    @Test(arguments: [1, 16, 17, 32, 33, 64, 65])
    func fourDotsAreFourSingleDots(d: Int) {
        let rows = TestData.values(4 * d, seed: 71), b = TestData.values(d, seed: 72)
        rows.withUnsafeBufferPointer { rows in
            b.withUnsafeBufferPointer { b in
                let r = rows.baseAddress!
                let four = VectorMath.dots(r, r + d, r + 2 * d, r + 3 * d, b.baseAddress!, d)
                for lane in 0..<4 {
                    #expect(four[lane] == VectorMath.dot(r + lane * d, b.baseAddress!, d), "d = \(d), row \(lane)")
                }
            }
        }
    }

    /// Listed points (a short last group of four included) get the panel scan's nearest
    /// centroid and, to rounding, its two squared distances; with every centroid listed twice,
    /// the first copy wins the tie and the second nearest equals the nearest.
    @Test(arguments: [(1, 1), (2, 3), (4, 5), (8, 33), (8, 64)])
    func listedPointsGetThePanelScansChoice(k: Int, d: Int) {
        let n = 203, points = TestData.values(n * d, seed: 73), once = TestData.values(k * d, seed: 74)
        let listed = (0..<n).filter { $0 % 3 != 1 }.map(Int32.init)
        for duplicated in [false, true] {
            let centroids = duplicated ? once + once : once, count = duplicated ? 2 * k : k
            let norms = (0..<n).map { i in points[i * d..<(i + 1) * d].reduce(0) { $0 + $1 * $1 } }
            let packed = PackedCenters(centroids, count: count, dimensions: d)
            var dotted = (nearest: [Int32](repeating: -1, count: listed.count), best: [Float](repeating: 0, count: listed.count),
                          second: [Float](repeating: 0, count: listed.count))
            var panel = dotted
            FewCentroidScan.nearestTwo(points, indices: listed, count: listed.count, dimensions: d, centroids: centroids, k: count,
                                       norms: norms, centerNorms: packed.laneNorms, nearest: &dotted.nearest, best: &dotted.best,
                                       second: &dotted.second)
            HostPanelProducts.nearestTwo(points, indices: listed, count: listed.count, dimensions: d, panel: packed.panel,
                                         groups: packed.groups, norms: norms, centerNorms: packed.laneNorms, nearest: &panel.nearest,
                                         best: &panel.best, second: &panel.second)
            let tolerance: Float = 1e-4 * Float(d)
            for p in listed.indices {
                let what = "k = \(count), d = \(d), position \(p)"
                #expect(dotted.nearest[p] == panel.nearest[p], "\(what): nearest")
                #expect(abs(dotted.best[p] - panel.best[p]) <= tolerance, "\(what): best \(dotted.best[p]) vs \(panel.best[p])")
                if count > 1 {
                    #expect(abs(dotted.second[p] - panel.second[p]) <= tolerance, "\(what): second")
                } else {
                    #expect(dotted.second[p] == .infinity, "\(what): one centroid has no second")
                }
                if duplicated {
                    #expect(dotted.nearest[p] < Int32(k), "\(what): the duplicate won a tie")
                    #expect(dotted.second[p] == dotted.best[p], "\(what): the duplicate is the second nearest")
                }
            }
        }
    }
}
