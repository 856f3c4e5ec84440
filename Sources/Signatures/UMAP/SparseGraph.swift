/// A weighted graph on n vertices in compressed rows: the neighbours of vertex `i` are
/// `columns[rowStart[i] ..< rowStart[i + 1]]`, ascending, with their `weights`.
struct SparseGraph {
    let vertices: Int
    let rowStart: [Int]
    let columns: [Int32]
    let weights: [Float]

    var edgeCount: Int { columns.count }

    /// The graph of `rowStart.count - 1` rows, each row's columns ascending.
    init(vertices: Int, rowStart: [Int], columns: [Int32], weights: [Float]) {
        self.vertices = vertices
        self.rowStart = rowStart
        self.columns = columns
        self.weights = weights
    }

    /// The graph without its edges lighter than `threshold` (umap-learn drops those too light to
    /// be sampled once in the layout's epochs).
    func pruned(below threshold: Float) -> SparseGraph {
        var rowStart = [0], columns: [Int32] = [], weights: [Float] = []
        for i in 0..<vertices {
            for edge in self.rowStart[i]..<self.rowStart[i + 1] where self.weights[edge] >= threshold {
                columns.append(self.columns[edge])
                weights.append(self.weights[edge])
            }
            rowStart.append(columns.count)
        }
        return SparseGraph(vertices: vertices, rowStart: rowStart, columns: columns, weights: weights)
    }

    /// The vertices' components: a label per vertex, 0 ..< count, in order of first vertex.
    func components() -> (labels: [Int], count: Int) {
        var labels = [Int](repeating: -1, count: vertices), count = 0, stack: [Int] = []
        for start in 0..<vertices where labels[start] < 0 {
            labels[start] = count
            stack.append(start)
            while let vertex = stack.popLast() {
                for edge in rowStart[vertex]..<rowStart[vertex + 1] {
                    let other = Int(columns[edge])
                    if labels[other] < 0 {
                        labels[other] = count
                        stack.append(other)
                    }
                }
            }
            count += 1
        }
        return (labels, count)
    }
}
