/// What the clusters of one layer are made of: how pure each cluster is in labels, and how
/// concentrated each label is in one cluster ("97% of the 1s fall in one cluster").
public struct ClusterComposition: Codable, Equatable, Sendable {
    /// The sum over clusters of the count of their most common label, over the number of points:
    /// 1 when no cluster mixes labels.
    public let purity: Double
    /// The distinct labels, ascending.
    public let labels: [Int]
    /// For each label (aligned with `labels`), the share of its points that fall in its most
    /// common cluster.
    public let concentration: [Double]
    /// For each label (aligned with `labels`), its most common cluster; the smallest such cluster
    /// when several hold the same number of its points.
    public let dominantCluster: [Int]

    /// Reads purity and concentration off a contingency table.
    ///
    /// - Complexity: O(m) for m distinct labels, clusters and non-zero cells.
    public init(_ table: ContingencyTable) {
        var largestInCluster = [Int](repeating: 0, count: table.clusters.count)
        var largestOfLabel = [Int](repeating: 0, count: table.labels.count)
        var columnOfLargest = [Int](repeating: 0, count: table.labels.count)
        // Cells come by row, then column, so the first maximum met in a row is the smallest cluster.
        for cell in table.cells {
            largestInCluster[cell.column] = max(largestInCluster[cell.column], cell.count)
            if cell.count > largestOfLabel[cell.row] {
                largestOfLabel[cell.row] = cell.count
                columnOfLargest[cell.row] = cell.column
            }
        }
        purity = Double(largestInCluster.reduce(0, +)) / Double(table.sampleCount)
        labels = table.labels
        concentration = zip(largestOfLabel, table.labelTotals).map { Double($0) / Double($1) }
        dominantCluster = columnOfLargest.map { table.clusters[$0] }
    }

    /// Measures the composition of `clusters` against `labels` (see
    /// `ContingencyTable.init(labels:clusters:)` for the errors).
    ///
    /// - Complexity: O(n + m log m) for n points and m distinct labels, clusters and non-zero cells.
    public init<Label: BinaryInteger, Cluster: BinaryInteger>(labels: [Label], clusters: [Cluster]) throws {
        self.init(try ContingencyTable(labels: labels, clusters: clusters))
    }

    /// The concentration of `label`, or nil when no point carries it.
    public func concentration(ofLabel label: Int) -> Double? {
        labels.firstIndex(of: label).map { concentration[$0] }
    }
}
