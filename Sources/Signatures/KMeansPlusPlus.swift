import Engine

/// scikit-learn's greedy k-means++ seeding (`_kmeans_plusplus`): the first seed is a uniformly
/// chosen point; each next one is the best of `2 + floor(ln k)` candidates drawn with probability
/// proportional to their squared distance to the nearest seed so far, "best" meaning the lowest
/// total squared distance once it is added. The squared distances to the candidates are
/// computed on the backend; the draws and potentials on the host, in float64.
enum KMeansPlusPlus {
    /// The row indices of `k` seeds of `matrix`.
    /// - Complexity: O(n k (log k) d) on the backend, O(n k log k) on the host.
    static func seeds(of matrix: PointMatrix, k: Int, generator: inout SeededGenerator) throws -> [Int] {
        let n = matrix.rows, trials = 2 + Int(log(Double(k)))
        let first = generator.nextIndex(below: n)
        var chosen = [first]
        var closest = try squaredDistances(matrix, to: [first]).map(Double.init)
        var potential = closest.reduce(0, +)
        while chosen.count < k {
            // Candidates: inverse-CDF draws over the running sum of the squared distances.
            var cumulative = [Double](repeating: 0, count: n)
            var running = 0.0
            for i in 0..<n {
                running += closest[i]
                cumulative[i] = running
            }
            let candidates = (0..<trials).map { _ in
                min(firstIndex(in: cumulative, notBelow: unitInterval(&generator) * potential), n - 1)
            }
            let distances = try squaredDistances(matrix, to: candidates)
            var best = 0, bestPotential = Double.infinity
            for t in 0..<trials {
                var total = 0.0
                for i in 0..<n { total += min(closest[i], Double(distances[i * trials + t])) }
                if total < bestPotential { (best, bestPotential) = (t, total) }
            }
            for i in 0..<n { closest[i] = min(closest[i], Double(distances[i * trials + best])) }
            potential = bestPotential
            chosen.append(candidates[best])
        }
        return chosen
    }

    /// `[n, indices.count]` squared distances of every point to the points at `indices`.
    private static func squaredDistances(_ matrix: PointMatrix, to indices: [Int]) throws -> [Float] {
        let backend = matrix.backend
        let centers = try backend.upload(indices.flatMap { matrix.row($0) }, shape: [indices.count, matrix.columns])
        let distances = try backend.zeros([matrix.rows, indices.count])
        try backend.squaredDistances(points: matrix.points, pointNorms: matrix.squaredNorms, centers: centers, into: distances)
        return try backend.read(distances)
    }

    /// numpy's `searchsorted(side="left")`: the first index whose value is >= `value`.
    private static func firstIndex(in sorted: [Double], notBelow value: Double) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// A uniform double in [0, 1) from the top 53 bits of the generator.
    private static func unitInterval(_ generator: inout SeededGenerator) -> Double {
        Double(generator.next() >> 11) * 0x1p-53
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
