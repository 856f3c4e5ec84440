import Dispatch
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
        let n = matrix.rows, trials = trials(for: k)
        var firsts: [Int] = [], draws: [[Double]] = []
        for _ in 0..<restarts {
            firsts.append(generator.nextIndex(below: n))
            draws.append((0..<(k - 1) * trials).map { _ in unitInterval(&generator) })
        }
        // At most `batch` restarts side by side, so that the candidates' distance matrix
        // (n x restarts x trials) stays small when a study asks for 100 restarts.
        return try stride(from: 0, to: restarts, by: batch).flatMap { first in
            let range = first..<min(restarts, first + batch)
            return try seed(matrix, k: k, firsts: Array(firsts[range]), uniforms: Array(draws[range]))
        }
    }

    /// Restarts seeded side by side at most.
    static let batch = 16

    /// The restarts whose first seeds are `firsts` and whose candidate draws are `uniforms`.
    private static func seed(_ matrix: PointMatrix, k: Int, firsts: [Int], uniforms: [[Double]]) throws -> [KMeansPlusPlus] {
        let n = matrix.rows, trials = trials(for: k), backend = matrix.backend, restarts = firsts.count
        let state = Progress(restarts: restarts, points: n, seeds: firsts)
        let firstCenters = try backend.zeros([restarts, matrix.columns]), firstDistances = try backend.zeros([n, restarts])
        state.start(try squaredDistances(matrix, to: firsts, centers: firstCenters, into: firstDistances))
        if k > 1 {
            let width = restarts * trials
            let centers = try backend.zeros([width, matrix.columns]), candidateDistances = try backend.zeros([n, width])
            for step in 1..<k {
                state.draw { r in uniforms[r][(step - 1) * trials..<step * trials] }
                let distances = try squaredDistances(matrix, to: state.candidates.flatMap { $0 }, centers: centers,
                                                     into: candidateDistances)
                state.keepBest(distances, trials: trials, seed: Int32(step))
            }
        }
        return (0..<restarts).map(state.seeding)
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

    /// Every restart's seeding under way: per restart and point, the nearest seed and the
    /// squared distances to it (float32 and float64) and to the second nearest, restart by
    /// restart in one buffer each (restart `r`'s points at `r * n`).
    ///
    /// The passes over the distance matrix (`[n, restarts * trials]`, row-major) go by ranges of
    /// points, every restart per row, so that they read it row after row; a restart at a time
    /// read a few values from every row of it, and waited on memory. The ranges depend only on
    /// n, and their partial sums are added in order, so the seeds never depend on the threads.
    private final class Progress: @unchecked Sendable {
        // Written by the workers of one parallel loop at a time, each its own points.
        let restarts: Int, n: Int
        var seeds: [[Int]]
        let nearest: UnsafeMutablePointer<Int32>
        let nearestSquared: UnsafeMutablePointer<Float>, secondSquared: UnsafeMutablePointer<Float>
        let closest: UnsafeMutablePointer<Double>
        /// Each restart's total squared distance to its nearest seeds.
        var potentials: [Double]
        /// Each restart's candidate rows for the step under way.
        var candidates: [[Int]]
        /// The point ranges of the parallel passes: fixed by n.
        static let parts = 64

        init(restarts: Int, points n: Int, seeds firsts: [Int]) {
            self.restarts = restarts
            self.n = n
            seeds = firsts.map { [$0] }
            nearest = .allocate(capacity: restarts * n)
            nearest.initialize(repeating: 0, count: restarts * n)
            nearestSquared = .allocate(capacity: restarts * n)
            secondSquared = .allocate(capacity: restarts * n)
            secondSquared.initialize(repeating: .infinity, count: restarts * n)
            closest = .allocate(capacity: restarts * n)
            potentials = [Double](repeating: 0, count: restarts)
            candidates = [[Int]](repeating: [], count: restarts)
        }

        deinit {
            nearest.deallocate()
            nearestSquared.deallocate()
            secondSquared.deallocate()
            closest.deallocate()
        }

        /// Restart `r`'s seeding as it stands.
        func seeding(_ r: Int) -> KMeansPlusPlus {
            KMeansPlusPlus(seeds: seeds[r], nearest: Array(UnsafeBufferPointer(start: nearest + r * n, count: n)),
                           nearestSquared: Array(UnsafeBufferPointer(start: nearestSquared + r * n, count: n)),
                           secondSquared: Array(UnsafeBufferPointer(start: secondSquared + r * n, count: n)))
        }

        /// The distances to the first seeds (`[n, restarts]`): every point's nearest seed so far.
        func start(_ distances: [Float]) {
            let restarts = self.restarts, n = self.n
            potentials = totals(width: restarts) { range, sums in
                for i in range {
                    for r in 0..<restarts {
                        let squared = distances[i * restarts + r]
                        self.nearestSquared[r * n + i] = squared
                        self.closest[r * n + i] = Double(squared)
                        sums[r] += Double(squared)
                    }
                }
            }
        }

        /// Each restart's candidates: inverse-CDF draws (`uniforms(r)`, one per candidate, times
        /// the potential) over the running sum of its points' squared distances, in one pass:
        /// the first point whose running sum reaches a draw (numpy's `searchsorted`), or the last.
        func draw(_ uniforms: @Sendable (Int) -> ArraySlice<Double>) {
            let n = self.n
            var found = [[Int]](repeating: [], count: restarts)
            found.withUnsafeMutableBufferPointer { found in
                let chosen = UncheckedPointer(found.baseAddress!)
                parallelRanges(restarts, parts: restarts) { range in
                    for r in range {
                        let targets = uniforms(r).map { $0 * self.potentials[r] }
                        let order = targets.indices.sorted { targets[$0] < targets[$1] }
                        var picks = [Int](repeating: n - 1, count: targets.count)
                        var next = 0, running = 0.0, i = 0
                        let closest = self.closest + r * n
                        while i < n && next < order.count {
                            running += closest[i]
                            while next < order.count && running >= targets[order[next]] {
                                picks[order[next]] = i
                                next += 1
                            }
                            i += 1
                        }
                        chosen.pointer[r] = picks
                    }
                }
            }
            candidates = found
        }

        /// Adds to each restart the candidate whose addition leaves the lowest potential, from
        /// the candidates' distances (`[n, restarts * trials]`, restart `r`'s in columns
        /// `r * trials ..< (r + 1) * trials`).
        func keepBest(_ distances: [Float], trials: Int, seed: Int32) {
            distances.withUnsafeBufferPointer { buffer in
                keepBest(UncheckedPointer(UnsafeMutablePointer(mutating: buffer.baseAddress!)), trials: trials, seed: seed)
            }
        }

        private func keepBest(_ distances: UncheckedPointer<Float>, trials: Int, seed: Int32) {
            let restarts = self.restarts, n = self.n, width = restarts * trials
            // Four candidates' totals at a time in one vector: summed in memory, each addition
            // waited on the last one's store.
            let sums = totals(width: width) { range, sums in
                for r in 0..<restarts {
                    let closest = self.closest + r * n
                    for t0 in stride(from: 0, to: trials, by: 4) {
                        let lanes = min(4, trials - t0), last = lanes - 1
                        let column = distances.pointer + r * trials + t0
                        var total = SIMD4<Double>()
                        for i in range {
                            // Lanes past the last candidate repeat it and are not kept.
                            let row = column + i * width, current = SIMD4(repeating: closest[i])
                            let squared = SIMD4<Double>(Double(row[0]), Double(row[min(1, last)]), Double(row[min(2, last)]),
                                                        Double(row[min(3, last)]))
                            total += squared.replacing(with: current, where: current .< squared)
                        }
                        for l in 0..<lanes { sums[r * trials + t0 + l] += total[l] }
                    }
                }
            }
            var chosen = [Int](repeating: 0, count: restarts)
            for r in 0..<restarts {
                var best = 0
                for t in 1..<trials where sums[r * trials + t] < sums[r * trials + best] { best = t }
                chosen[r] = r * trials + best
                potentials[r] = sums[r * trials + best]
                seeds[r].append(candidates[r][best])
            }
            let columns = chosen
            parallelRanges(n, parts: Self.parts) { range in
                for r in 0..<restarts {
                    let column = distances.pointer + columns[r], offset = r * n
                    let closest = self.closest + offset, nearest = self.nearest + offset
                    let nearestSquared = self.nearestSquared + offset, secondSquared = self.secondSquared + offset
                    for i in range {
                        // Selects, not branches: which points the new seed is nearest to is
                        // unpredictable.
                        let squared = column[i * width], old = nearestSquared[i], oldSecond = secondSquared[i]
                        let closer = squared < old
                        closest[i] = min(closest[i], Double(squared))
                        nearestSquared[i] = closer ? squared : old
                        secondSquared[i] = closer ? old : min(oldSecond, squared)
                        nearest[i] = closer ? seed : nearest[i]
                    }
                }
            }
        }

        /// Runs `body(points, sums)` over fixed ranges of the points in parallel, each range
        /// adding into its own `width` float64 sums; returns the ranges' sums added in order.
        private func totals(width: Int, _ body: @Sendable (Range<Int>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
            let n = self.n, pieces = min(Self.parts, max(n, 1))
            let partials = UnsafeMutablePointer<Double>.allocate(capacity: pieces * width)
            defer { partials.deallocate() }
            partials.initialize(repeating: 0, count: pieces * width)
            let shared = UncheckedPointer(partials)
            DispatchQueue.concurrentPerform(iterations: pieces) { piece in
                body(n * piece / pieces..<n * (piece + 1) / pieces, shared.pointer + piece * width)
            }
            var sums = [Double](repeating: 0, count: width)
            for piece in 0..<pieces {
                for j in 0..<width { sums[j] += partials[piece * width + j] }
            }
            return sums
        }
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
