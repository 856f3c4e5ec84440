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

    /// Seeds `restarts` clusterings of `k` clusters each, with the seeds that `restarts` seedings
    /// one after another would draw from `generator`, but side by side: each step computes the
    /// distances to every restart's candidates in one pass over the points, and the restarts'
    /// host work runs in parallel.
    ///
    /// Why side by side: a step's few candidates (2 to 4) fill a fraction of the backend's
    /// distance product, and a pass over the points costs the same for one candidate as for
    /// forty; seeded one at a time, the restarts of a 70,000-point sweep spent more on seeding
    /// than on Lloyd's iterations. The draws stay in restart order: how many numbers a seeding
    /// draws does not depend on the data (the first seed, then `trials` per further seed), so
    /// they are all drawn first.
    /// - Complexity: O(restarts n k (log k) d) on the backend, O(restarts n k log k) on the host.
    static func seed(_ matrix: PointMatrix, k: Int, restarts: Int, generator: inout SeededGenerator) throws -> [KMeansPlusPlus] {
        let n = matrix.rows, trials = trials(for: k), backend = matrix.backend
        var firsts: [Int] = [], draws: [[Double]] = []
        for _ in 0..<restarts {
            firsts.append(generator.nextIndex(below: n))
            draws.append((0..<(k - 1) * trials).map { _ in unitInterval(&generator) })
        }
        let uniforms = draws
        let runs = firsts.map { Progress(first: $0, points: n) }
        let firstCenters = try backend.zeros([restarts, matrix.columns]), firstDistances = try backend.zeros([n, restarts])
        let distances = try squaredDistances(matrix, to: firsts, centers: firstCenters, into: firstDistances)
        inParallel(runs) { r, run in run.start(distances, column: r, stride: restarts) }
        guard k > 1 else { return runs.map(\.seeding) }

        let width = restarts * trials
        let centers = try backend.zeros([width, matrix.columns]), candidateDistances = try backend.zeros([n, width])
        for step in 1..<k {
            inParallel(runs) { r, run in
                run.draw(uniforms[r][(step - 1) * trials..<step * trials])
            }
            let distances = try squaredDistances(matrix, to: runs.flatMap(\.candidates), centers: centers, into: candidateDistances)
            inParallel(runs) { r, run in run.keepBest(distances, column: r * trials, stride: width, seed: Int32(step)) }
        }
        return runs.map(\.seeding)
    }

    /// The number of candidates per seed for `k` clusters, as scikit-learn: 2 + floor(ln k).
    static func trials(for k: Int) -> Int { 2 + Int(log(Double(k))) }

    /// `[n, indices.count]` squared distances of every point to the points at `indices`, through
    /// `centers` and `distances` (tensors of that size, made once per seeding: a device
    /// allocation per step would cost more than the step on a GPU).
    private static func squaredDistances(_ matrix: PointMatrix, to indices: [Int], centers: Tensor, into distances: Tensor) throws -> [Float] {
        let backend = matrix.backend
        try backend.write(indices.flatMap { matrix.row($0) }, to: centers)
        try backend.squaredDistances(points: matrix.points, pointNorms: matrix.squaredNorms, centers: centers, into: distances)
        return try backend.read(distances)
    }

    /// Runs `body` for every restart, in parallel; each touches only its own `Progress`.
    private static func inParallel(_ runs: [Progress], _ body: @Sendable (Int, Progress) -> Void) {
        parallelRanges(runs.count, parts: runs.count) { range in
            for r in range { body(r, runs[r]) }
        }
    }

    /// One restart's seeding under way: its seeds and the running nearest distances.
    private final class Progress: @unchecked Sendable {
        // Written by one worker at a time: `seed` hands each restart to one worker per step.
        var seeds: [Int]
        var nearest: [Int32]
        var nearestSquared: [Float] = []
        var secondSquared: [Float]
        /// Each point's squared distance to its nearest seed, in float64, and their running sums.
        var closest: [Double] = []
        var cumulative: [Double]
        var potential = 0.0
        /// This step's candidate rows.
        var candidates: [Int] = []

        init(first: Int, points n: Int) {
            seeds = [first]
            nearest = [Int32](repeating: 0, count: n)
            secondSquared = [Float](repeating: .infinity, count: n)
            cumulative = [Double](repeating: 0, count: n)
        }

        /// The seeding so far.
        var seeding: KMeansPlusPlus {
            KMeansPlusPlus(seeds: seeds, nearest: nearest, nearestSquared: nearestSquared, secondSquared: secondSquared)
        }

        /// The distances to the first seed: column `column` of a row-major matrix `stride` wide.
        func start(_ distances: [Float], column: Int, stride: Int) {
            let n = cumulative.count
            nearestSquared = (0..<n).map { distances[$0 * stride + column] }
            closest = nearestSquared.map(Double.init)
            potential = closest.reduce(0, +)
        }

        /// Candidates by inverse-CDF draws over the running sum of the squared distances.
        func draw(_ uniforms: ArraySlice<Double>) {
            let n = cumulative.count
            var running = 0.0
            closest.withUnsafeBufferPointer { closest in
                cumulative.withUnsafeMutableBufferPointer { cumulative in
                    for i in 0..<n {
                        running += closest[i]
                        cumulative[i] = running
                    }
                }
            }
            candidates = uniforms.map { min(KMeansPlusPlus.firstIndex(in: cumulative, notBelow: $0 * potential), n - 1) }
        }

        /// Adds the candidate whose addition leaves the lowest potential, from the candidates'
        /// distances in columns `column ..< column + candidates.count` of a row-major matrix
        /// `stride` wide.
        func keepBest(_ distances: [Float], column: Int, stride: Int, seed: Int32) {
            let n = cumulative.count, trials = candidates.count
            var totals = [Double](repeating: 0, count: trials)
            distances.withUnsafeBufferPointer { distances in
                closest.withUnsafeBufferPointer { closest in
                    totals.withUnsafeMutableBufferPointer { totals in
                        for i in 0..<n {
                            let row = distances.baseAddress! + i * stride + column, current = closest[i]
                            for t in 0..<trials { totals[t] += min(current, Double(row[t])) }
                        }
                    }
                }
            }
            var best = 0
            for t in 1..<trials where totals[t] < totals[best] { best = t }
            let chosen = column + best
            distances.withUnsafeBufferPointer { distances in
                closest.withUnsafeMutableBufferPointer { closest in
                    nearestSquared.withUnsafeMutableBufferPointer { nearestSquared in
                        secondSquared.withUnsafeMutableBufferPointer { secondSquared in
                            nearest.withUnsafeMutableBufferPointer { nearest in
                                for i in 0..<n {
                                    let squared = distances[i * stride + chosen]
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
