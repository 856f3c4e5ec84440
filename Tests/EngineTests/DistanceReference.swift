import Engine

/// Float64 references for the distance operations, computed from the differences (no Gram
/// formula), so both backends are checked against the exact math and not only each other.
enum DistanceReference {
    static func squaredDistance(_ x: [Float], _ i: Int, _ y: [Float], _ j: Int, _ d: Int) -> Double {
        var sum = 0.0
        for c in 0..<d {
            let difference = Double(x[i * d + c]) - Double(y[j * d + c])
            sum += difference * difference
        }
        return sum
    }

    /// `[n, m]` squared distances of every point to every center.
    static func squaredDistances(points: [Float], centers: [Float], d: Int) -> [Double] {
        let n = points.count / max(d, 1), m = centers.count / max(d, 1)
        var out = [Double](repeating: 0, count: n * m)
        for i in 0..<n { for j in 0..<m { out[i * m + j] = squaredDistance(points, i, centers, j, d) } }
        return out
    }

    static func rowSquaredNorms(_ x: [Float], d: Int) -> [Double] {
        (0..<(x.count / max(d, 1))).map { i in (0..<d).reduce(0.0) { $0 + Double(x[i * d + $1]) * Double(x[i * d + $1]) } }
    }

    /// Per cluster the float64 sum of its points and its count; labels outside 0..<k ignored.
    static func clusterSums(points: [Float], labels: [Int32], k: Int, d: Int) -> (sums: [Double], counts: [Double]) {
        var sums = [Double](repeating: 0, count: k * d), counts = [Double](repeating: 0, count: k)
        for (i, label) in labels.enumerated() where label >= 0 && Int(label) < k {
            let c = Int(label)
            counts[c] += 1
            for j in 0..<d { sums[c * d + j] += Double(points[i * d + j]) }
        }
        return (sums, counts)
    }

    /// `sums[i, t] = sum over j of ||p_i - p_j|| * memberships[j, t]`.
    static func silhouetteSums(points: [Float], memberships: [Float], d: Int, t: Int) -> [Double] {
        let n = points.count / max(d, 1)
        var sums = [Double](repeating: 0, count: n * t)
        for i in 0..<n {
            for j in 0..<n where j != i {
                let distance = squaredDistance(points, i, points, j, d).squareRoot()
                for c in 0..<t where memberships[j * t + c] != 0 { sums[i * t + c] += distance * Double(memberships[j * t + c]) }
            }
        }
        return sums
    }
}

/// Labels in `0..<k` from the engine's seeded generator, int32 as the engine takes them.
func seededLabels(_ n: Int, k: Int, seed: UInt64) -> [Int32] {
    var generator = SeededGenerator(seed: seed)
    return (0..<n).map { _ in Int32(generator.nextIndex(below: max(k, 1))) }
}
