/// How many points carry each pair (label, cluster): the table that every label-versus-cluster
/// metric (adjusted Rand index, mutual information, purity, concentration) is computed from.
///
/// Labels and clusters are arbitrary integer identifiers (digits 0...9, cluster numbers, or any
/// other values, not necessarily contiguous); rows follow the distinct labels in ascending order
/// and columns the distinct clusters in ascending order. Only the non-zero cells are stored, so
/// the table takes O(n) memory however many distinct values there are.
public struct ContingencyTable: Equatable, Sendable {
    /// One non-zero cell: `count` points have the label `labels[row]` and the cluster `clusters[column]`.
    public struct Cell: Equatable, Sendable {
        public let row: Int
        public let column: Int
        public let count: Int
    }

    /// The distinct labels, ascending: the rows.
    public let labels: [Int]
    /// The distinct clusters, ascending: the columns.
    public let clusters: [Int]
    /// The non-zero cells, ordered by row, then by column.
    public let cells: [Cell]
    /// Points per label (row sums), aligned with `labels`.
    public let labelTotals: [Int]
    /// Points per cluster (column sums), aligned with `clusters`.
    public let clusterTotals: [Int]

    /// The number of points counted.
    public var sampleCount: Int { labelTotals.reduce(0, +) }

    /// Counts the points of each (label, cluster) pair.
    ///
    /// - Parameters:
    ///   - labels: the label of each point (any integer type: `UInt8` digits, `Int`, `Int32` ...).
    ///   - clusters: the cluster of each point, in the same order.
    /// - Throws: `SignaturesError.sizeMismatch` when the two arrays differ in length,
    ///   `.insufficientData` when they are empty, `.invalidArgument` when a value does not fit in `Int`.
    /// - Complexity: O(n + m log m) for n points and m distinct labels, clusters and non-zero cells.
    public init<Label: BinaryInteger, Cluster: BinaryInteger>(labels: [Label], clusters: [Cluster]) throws {
        guard labels.count == clusters.count else {
            throw SignaturesError.sizeMismatch("\(labels.count) labels for \(clusters.count) cluster assignments")
        }
        guard !labels.isEmpty else { throw SignaturesError.insufficientData("no points to compare labels and clusters on") }
        let labelIDs = try Self.identifiers(labels, kind: "label")
        let clusterIDs = try Self.identifiers(clusters, kind: "cluster")

        let (rowValues, rowOf) = Self.index(labelIDs)
        let (columnValues, columnOf) = Self.index(clusterIDs)
        // Cells keyed by `row * columnCount + column`: below n * n, so no overflow.
        var counts: [Int: Int] = [:]
        var rowTotals = [Int](repeating: 0, count: rowValues.count)
        var columnTotals = [Int](repeating: 0, count: columnValues.count)
        for (label, cluster) in zip(labelIDs, clusterIDs) {
            let row = rowOf[label]!, column = columnOf[cluster]!
            counts[row * columnValues.count + column, default: 0] += 1
            rowTotals[row] += 1
            columnTotals[column] += 1
        }
        self.labels = rowValues
        self.clusters = columnValues
        cells = counts.keys.sorted().map { key in
            Cell(row: key / columnValues.count, column: key % columnValues.count, count: counts[key]!)
        }
        labelTotals = rowTotals
        clusterTotals = columnTotals
    }

    /// The number of points with label `label` in cluster `cluster` (0 for values never seen).
    ///
    /// - Complexity: O(log m) for m distinct labels, clusters and non-zero cells.
    public func count(label: Int, cluster: Int) -> Int {
        let row = Self.lowerBound(labels.count) { labels[$0] < label }
        let column = Self.lowerBound(clusters.count) { clusters[$0] < cluster }
        guard row < labels.count, labels[row] == label, column < clusters.count, clusters[column] == cluster else { return 0 }
        let cell = Self.lowerBound(cells.count) { (cells[$0].row, cells[$0].column) < (row, column) }
        guard cell < cells.count, cells[cell].row == row, cells[cell].column == column else { return 0 }
        return cells[cell].count
    }

    private static func identifiers<Value: BinaryInteger>(_ values: [Value], kind: String) throws -> [Int] {
        try values.map { value in
            guard let id = Int(exactly: value) else { throw SignaturesError.invalidArgument("\(kind) \(value) does not fit in Int") }
            return id
        }
    }

    /// The distinct values ascending, and the position of each among them.
    private static func index(_ values: [Int]) -> (values: [Int], position: [Int: Int]) {
        let distinct = Set(values).sorted()
        return (distinct, Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) }))
    }

    /// The first position in `0..<count` where `isBelow` is false (`isBelow` must be true, then false).
    private static func lowerBound(_ count: Int, _ isBelow: (Int) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if isBelow(middle) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
