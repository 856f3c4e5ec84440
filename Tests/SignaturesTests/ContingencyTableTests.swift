import Signatures
import Testing

@Suite("Contingency table")
struct ContingencyTableTests {
    /// Identifiers need not be contiguous, start at 0, or be non-negative.
    @Test func countsArbitraryIdentifiers() throws {
        let table = try ContingencyTable(labels: [7, 7, 3, 9, 7, 3], clusters: [-1, 5, 5, 5, 5, 40])
        #expect(table.labels == [3, 7, 9])
        #expect(table.clusters == [-1, 5, 40])
        #expect(table.labelTotals == [2, 3, 1])
        #expect(table.clusterTotals == [1, 4, 1])
        #expect(table.sampleCount == 6)
        #expect(table.cells.map { [$0.row, $0.column, $0.count] } == [[0, 1, 1], [0, 2, 1], [1, 0, 1], [1, 1, 2], [2, 1, 1]])
        #expect(table.count(label: 7, cluster: 5) == 2)
        #expect(table.count(label: 3, cluster: 40) == 1)
        #expect(table.count(label: 9, cluster: -1) == 0)
        #expect(table.count(label: 8, cluster: 5) == 0)
        #expect(table.count(label: 7, cluster: 6) == 0)
    }

    /// Dataset labels arrive as UInt8 and cluster ids may be Int32.
    @Test func acceptsAnyIntegerType() throws {
        let narrow = try ContingencyTable(labels: [UInt8(1), 1, 0], clusters: [Int32(2), 0, 0])
        let wide = try ContingencyTable(labels: [1, 1, 0], clusters: [2, 0, 0])
        #expect(narrow == wide)
    }

    @Test func refusesMismatchedEmptyOrOversizedInput() {
        #expect(throws: SignaturesError.sizeMismatch("3 labels for 2 cluster assignments")) {
            try ContingencyTable(labels: [0, 1, 2], clusters: [0, 1])
        }
        #expect(throws: SignaturesError.insufficientData("no points to compare labels and clusters on")) {
            try ContingencyTable(labels: [Int](), clusters: [Int]())
        }
        #expect(throws: SignaturesError.invalidArgument("cluster 18446744073709551615 does not fit in Int")) {
            try ContingencyTable(labels: [0], clusters: [UInt64.max])
        }
    }
}
