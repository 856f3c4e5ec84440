import OpenCL
import Testing

/// How one launch is cut so that no slice has more work-groups along dimension 1 or 2 than a GPU
/// takes (`CommandQueue.slices`): the slices cover the range exactly once, in order.
@Suite("Launch slices")
struct LaunchSliceTests {
    static let cap = CommandQueue.maximumGroupsBeyondFirstDimension

    /// Every global id of `globalSize`, each once, from the slices: a slice's ids are its offset
    /// plus its own range.
    static func covered(_ globalSize: [Int], _ localSize: [Int]?) -> (count: Int, exact: Bool) {
        let slices = CommandQueue.slices(globalSize: globalSize, localSize: localSize)
        let total = slices.reduce(0) { $0 + $1.size.reduce(1, *) }
        let inside = slices.allSatisfy { slice in
            zip(zip(slice.offset, slice.size), globalSize).allSatisfy { $0.0 >= 0 && $0.0 + $0.1 <= $1 && $0.1 > 0 }
        }
        return (slices.count, inside && total == globalSize.reduce(1, *))
    }

    @Test func aRangeWithinTheCapIsOneLaunchWithoutOffset() {
        let slices = CommandQueue.slices(globalSize: [1024, Self.cap, 3], localSize: [16, 1, 1])
        #expect(slices.count == 1)
        #expect(slices[0].offset == [0, 0, 0] && slices[0].size == [1024, Self.cap, 3])
        // Dimension 0 is never cut: GPUs take 2^31 - 1 groups there.
        #expect(CommandQueue.slices(globalSize: [100 * Self.cap], localSize: [1]).count == 1)
    }

    @Test func dimensionTwoIsCutInRunsOfTheCap() {
        let slices = CommandQueue.slices(globalSize: [16, 3, 140_000], localSize: [16, 1, 1])
        #expect(slices.map(\.offset) == [[0, 0, 0], [0, 0, Self.cap], [0, 0, 2 * Self.cap]])
        #expect(slices.map { $0.size[2] } == [Self.cap, Self.cap, 140_000 - 2 * Self.cap])
        #expect(Self.covered([16, 3, 140_000], [16, 1, 1]) == (3, true))
    }

    /// The cap counts groups: with 4 work-items a group along dimension 1, runs of 4 x the cap.
    @Test func theCapCountsGroupsNotWorkItems() {
        let global = [8, 4 * Self.cap + 8]
        let slices = CommandQueue.slices(globalSize: global, localSize: [8, 4])
        #expect(slices.map(\.offset) == [[0, 0], [0, 4 * Self.cap]])
        #expect(slices.map { $0.size[1] } == [4 * Self.cap, 8])
        // Without a local size, one work-item a group is assumed: cut as finely as any runtime could.
        #expect(CommandQueue.slices(globalSize: [8, Self.cap + 1], localSize: nil).count == 2)
    }

    @Test func bothDimensionsCutMakeEveryPair() {
        #expect(Self.covered([2, Self.cap + 1, 2 * Self.cap + 5], [1, 1, 1]) == (6, true))
    }
}
