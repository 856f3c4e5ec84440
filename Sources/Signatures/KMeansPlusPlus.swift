import Engine

/// scikit-learn's greedy k-means++ seeding (`_kmeans_plusplus`): the first seed is a uniformly
/// chosen point; each next one is the best of `2 + floor(ln k)` candidates drawn with probability
/// proportional to their squared distance to the nearest seed so far, "best" meaning the lowest
/// total squared distance once it is added. The squared distances to the candidates are
/// computed on the backend; the draws and potentials on the host, in float64.
struct KMeansPlusPlus {
    /// The row indices of the seeds, in order.
    var seeds: [Int]
    /// Per point: the nearest seed (lowest index on ties), and the squared distances to it and to
    /// the second nearest (+infinity for one seed). They make the first Lloyd assignment and its
    /// bounds without another pass over the points.
    var nearest: [Int32]
    var nearestSquared: [Float]
    var secondSquared: [Float]

    /// Seeds `k` clusters of `matrix`, computing distances in `scratch` (one for all restarts).
    /// - Complexity: O(n k (log k) d) on the backend, O(n k log k) on the host.
    init(matrix: PointMatrix, k: Int, generator: inout SeededGenerator, scratch: Scratch) throws {
        let n = matrix.rows, trials = scratch.trials
        let first = generator.nextIndex(below: n)
        seeds = [first]
        let distances = try scratch.squaredDistances(matrix, to: [first])
        nearest = [Int32](repeating: 0, count: n)
        nearestSquared = distances
        secondSquared = [Float](repeating: .infinity, count: n)
        var closest = distances.map(Double.init)
        var potential = closest.reduce(0, +)
        var cumulative = [Double](repeating: 0, count: n)
        while seeds.count < k {
            // Candidates: inverse-CDF draws over the running sum of the squared distances.
            var running = 0.0
            closest.withUnsafeBufferPointer { closest in
                cumulative.withUnsafeMutableBufferPointer { cumulative in
                    for i in 0..<n {
                        running += closest[i]
                        cumulative[i] = running
                    }
                }
            }
            let candidates = (0..<trials).map { _ in
                min(Self.firstIndex(in: cumulative, notBelow: Self.unitInterval(&generator) * potential), n - 1)
            }
            let distances = try scratch.squaredDistances(matrix, to: candidates)
            var totals = [Double](repeating: 0, count: trials)
            distances.withUnsafeBufferPointer { distances in
                closest.withUnsafeBufferPointer { closest in
                    totals.withUnsafeMutableBufferPointer { totals in
                        for i in 0..<n {
                            let row = distances.baseAddress! + i * trials, current = closest[i]
                            for t in 0..<trials { totals[t] += min(current, Double(row[t])) }
                        }
                    }
                }
            }
            var best = 0
            for t in 1..<trials where totals[t] < totals[best] { best = t }
            let seed = Int32(seeds.count)
            distances.withUnsafeBufferPointer { distances in
                closest.withUnsafeMutableBufferPointer { closest in
                    nearestSquared.withUnsafeMutableBufferPointer { nearestSquared in
                        secondSquared.withUnsafeMutableBufferPointer { secondSquared in
                            nearest.withUnsafeMutableBufferPointer { nearest in
                                for i in 0..<n {
                                    let squared = distances[i * trials + best]
                                    closest[i] = min(closest[i], Double(squared))
                                    if squared < nearestSquared[i] {
                                        secondSquared[i] = nearestSquared[i]
                                        nearestSquared[i] = squared
                                        nearest[i] = seed
                                    } else if squared < secondSquared[i] {
                                        secondSquared[i] = squared
                                    }
                                }
                            }
                        }
                    }
                }
            }
            potential = totals[best]
            seeds.append(candidates[best])
        }
    }

    /// The number of candidates per seed for `k` clusters, as scikit-learn: 2 + floor(ln k).
    static func trials(for k: Int) -> Int { 2 + Int(log(Double(k))) }

    /// The backend tensors of the candidates' distances, made once per clustering rather than
    /// per seed: a device allocation per step would cost more than the step on a GPU.
    final class Scratch {
        let trials: Int
        private let first: (centers: Tensor, distances: Tensor)
        private let candidates: (centers: Tensor, distances: Tensor)

        init(matrix: PointMatrix, k: Int) throws {
            let backend = matrix.backend
            trials = KMeansPlusPlus.trials(for: k)
            first = (try backend.zeros([1, matrix.columns]), try backend.zeros([matrix.rows, 1]))
            candidates = (try backend.zeros([trials, matrix.columns]), try backend.zeros([matrix.rows, trials]))
        }

        /// `[n, indices.count]` squared distances of every point to the points at `indices`
        /// (one index, or `trials` of them).
        func squaredDistances(_ matrix: PointMatrix, to indices: [Int]) throws -> [Float] {
            let backend = matrix.backend
            let (centers, distances) = indices.count == 1 ? first : candidates
            try backend.write(indices.flatMap { matrix.row($0) }, to: centers)
            try backend.squaredDistances(points: matrix.points, pointNorms: matrix.squaredNorms, centers: centers, into: distances)
            return try backend.read(distances)
        }
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
