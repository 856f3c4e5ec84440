import Engine
import Testing

/// The distance operations (K-means and silhouette) on both backends, against a float64
/// reference computed from differences and against each other, on odd shapes: n in
/// {1, 7, 257, 1000, 70000}, d in {1, 3, 32, 65}, k in {1, 2, 10, 33}, each value covered.
///
/// Tolerances: a float32 squared distance by the Gram formula errs by about
/// `eps * (|p|^2 + |c|^2)` (points in [-1, 1): norms up to d), so distances get
/// `1e-5 * (d + 1)` absolute; sums of up to 70,000 points get 1e-5 relative plus 1e-5 absolute.
@Suite("Distance operations, OpenCL and CPU against float64", .serialized)
struct DistanceParityTests {
    let harness: ParityHarness
    init() throws { harness = try ParityHarness() }

    static let shapes: [(n: Int, d: Int, k: Int)] = [
        (1, 3, 1), (7, 1, 2), (257, 32, 10), (1000, 65, 33), (70000, 32, 10), (1000, 3, 2), (13, 65, 1),
    ]

    @Test(arguments: [(1, 1), (7, 3), (257, 32), (1000, 65)])
    func rowSquaredNorms(n: Int, d: Int) throws {
        let x = TestData.values(n * d, seed: 40)
        let expected = DistanceReference.rowSquaredNorms(x, d: d).map(Float.init)
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let norms = try backend.upload(TestData.values(n, seed: 41), shape: [n])
            try backend.rowSquaredNorms(backend.upload(x, shape: [n, d]), into: norms)
            #expect(worstError(try backend.read(norms), expected, absolute: 1e-6, relative: 1e-5) <= 1, "\(backend.kind) \(n)x\(d)")
        }
    }

    @Test(arguments: shapes)
    func squaredDistances(n: Int, d: Int, k: Int) throws {
        guard n * k <= 1_000_000 else { return }  // the reference is O(n k d) in float64
        let points = TestData.values(n * d, seed: 42), centers = TestData.values(k * d, seed: 43)
        let expected = DistanceReference.squaredDistances(points: points, centers: centers, d: d).map(Float.init)
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let p = try backend.upload(points, shape: [n, d]), norms = try backend.zeros([n])
            try backend.rowSquaredNorms(p, into: norms)
            let out = try backend.upload(TestData.values(n * k, seed: 44), shape: [n, k])
            try backend.squaredDistances(points: p, pointNorms: norms, centers: backend.upload(centers, shape: [k, d]), into: out)
            let actual = try backend.read(out)
            #expect(worstError(actual, expected, absolute: 1e-5 * Float(d + 1), relative: 1e-5) <= 1, "\(backend.kind) \(n)x\(d)x\(k)")
            #expect(actual.allSatisfy { $0 >= 0 })
        }
    }

    @Test(arguments: shapes)
    func nearestCentroids(n: Int, d: Int, k: Int) throws {
        let points = TestData.values(n * d, seed: 45), centroids = TestData.values(k * d, seed: 46)
        var results: [(assignments: [Int32], distances: [Float])] = []
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let p = try backend.upload(points, shape: [n, d]), norms = try backend.zeros([n])
            try backend.rowSquaredNorms(p, into: norms)
            let assignments = try backend.uploadIntegers([Int32](repeating: -7, count: n), shape: [n])
            let distances = try backend.upload(TestData.values(n, seed: 47), shape: [n])
            try backend.nearestCentroids(points: p, pointNorms: norms, centroids: backend.upload(centroids, shape: [k, d]),
                                         assignments: assignments, distances: distances)
            results.append((try backend.readIntegers(assignments), try backend.read(distances)))
        }
        let tolerance = 1e-5 * Double(d + 1)
        // Every assignment is a nearest centroid to within the formula's rounding, and its
        // distance is that centroid's; checked exactly on a sample of a large n.
        for i in stride(from: 0, to: n, by: max(1, n / 2000)) {
            let exact = (0..<k).map { DistanceReference.squaredDistance(points, i, centroids, $0, d) }
            let best = exact.min()!
            for (backend, result) in zip(["cpu", "opencl"], results) {
                let chosen = Int(result.assignments[i])
                #expect((0..<k).contains(chosen), "\(backend) point \(i): assignment \(chosen)")
                guard (0..<k).contains(chosen) else { continue }
                #expect(exact[chosen] - best <= tolerance, "\(backend) point \(i): \(exact[chosen]) vs nearest \(best)")
                #expect(abs(Double(result.distances[i]) - exact[chosen]) <= tolerance + 1e-5 * exact[chosen], "\(backend) point \(i)")
            }
        }
        // The backends agree wherever the choice is not a rounding-level tie.
        let disagreements = zip(results[0].assignments, results[1].assignments).filter { $0 != $1 }.count
        #expect(disagreements <= max(1, n / 10_000), "\(disagreements) of \(n) assignments differ between backends")
    }

    /// Duplicate centroids tie exactly: the lowest index wins, as scikit-learn's argmin.
    @Test func tiesGoToTheLowestIndex() throws {
        let d = 5, n = 300
        let points = TestData.values(n * d, seed: 48), a = TestData.values(d, seed: 49), b = TestData.values(d, seed: 50)
        let centroids = b + a + b + a  // clusters 2 and 3 duplicate 0 and 1
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let p = try backend.upload(points, shape: [n, d]), norms = try backend.zeros([n])
            try backend.rowSquaredNorms(p, into: norms)
            let assignments = try backend.zeros([n], elementType: .int32), distances = try backend.zeros([n])
            try backend.nearestCentroids(points: p, pointNorms: norms, centroids: backend.upload(centroids, shape: [4, d]),
                                         assignments: assignments, distances: distances)
            let chosen = try backend.readIntegers(assignments)
            #expect(chosen.allSatisfy { $0 == 0 || $0 == 1 }, "\(backend.kind)")
            #expect(Set(chosen).count == 2, "\(backend.kind): both distinct centroids win some points")
        }
    }

    /// From bounds that prove nothing, the bounded assignment scans every centroid for every
    /// point: it must choose what `nearestCentroids` chooses from the same float32 distances,
    /// exactly, ties to the lowest index included (every centroid appears twice), and its lower
    /// bound must be the second smallest distance (the duplicate's: equal to the upper bound).
    /// k = 17 and 40 take more than one group of 16 centroids; n = 203 leaves a short block.
    @Test(arguments: [(203, 5, 1), (257, 33, 4), (203, 7, 8), (1000, 32, 17), (517, 65, 40)])
    func scanningEveryCentroidChoosesAsNearestCentroids(n: Int, d: Int, distinct: Int) throws {
        let points = TestData.values(n * d, seed: 52), once = TestData.values(distinct * d, seed: 53)
        // Centroid c + distinct repeats c; the first copy must win every tie.
        let centroids = once + once, k = 2 * distinct
        for backend in [harness.cpu, harness.openCL, CPUBackend(avx512Loops: false)] as [any Backend] {
            let p = try backend.upload(points, shape: [n, d]), norms = try backend.zeros([n])
            try backend.rowSquaredNorms(p, into: norms)
            let c = try backend.upload(centroids, shape: [k, d])
            let nearest = try backend.zeros([n], elementType: .int32), distances = try backend.zeros([n])
            try backend.nearestCentroids(points: p, pointNorms: norms, centroids: c, assignments: nearest, distances: distances)
            let assignments = try backend.zeros([n], elementType: .int32), upper = try backend.zeros([n]), lower = try backend.zeros([n])
            try backend.fill(upper, with: .infinity)
            try backend.boundedNearestCentroids(points: p, pointNorms: norms, centroids: c, shifts: [Float](repeating: 0, count: k),
                                                halfSeparations: [Float](repeating: 0, count: k), assignments: assignments,
                                                upper: upper, lower: lower)
            let chosen = try backend.readIntegers(assignments), expected = try backend.readIntegers(nearest)
            #expect(chosen == expected, "\(backend.kind) \(n)x\(d) k=\(k)")
            #expect(chosen.allSatisfy { $0 < distinct }, "\(backend.kind) k=\(k): a duplicate won a tie")
            let u = try backend.read(upper), l = try backend.read(lower), squared = try backend.read(distances)
            for i in 0..<n {
                #expect(u[i] == squared[i].squareRoot(), "\(backend.kind) k=\(k) point \(i): upper \(u[i]) vs \(squared[i].squareRoot())")
                #expect(l[i] == u[i], "\(backend.kind) k=\(k) point \(i): lower \(l[i]), the duplicate at \(u[i])")
            }
        }
    }

    /// A point on a large centroid: the formula cancels to rounding noise, never below 0.
    @Test func distancesAreNeverNegative() throws {
        let d = 33, n = 64
        let points = TestData.values(n * d, seed: 51, in: 900..<1000)
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let p = try backend.upload(points, shape: [n, d]), norms = try backend.zeros([n])
            try backend.rowSquaredNorms(p, into: norms)
            let assignments = try backend.zeros([n], elementType: .int32), distances = try backend.zeros([n])
            try backend.nearestCentroids(points: p, pointNorms: norms, centroids: p, assignments: assignments, distances: distances)
            #expect(try backend.read(distances).allSatisfy { $0 >= 0 }, "\(backend.kind)")
        }
    }

    /// Hamerly's bounded assignment over a few moves of the centroids: every assignment is a
    /// nearest centroid (to within rounding), the upper bound is at least the distance to it and
    /// the lower bound at most the distance to every other, on both backends.
    @Test(arguments: [(1, 3, 1), (257, 32, 10), (1000, 65, 33), (1000, 3, 2), (4099, 16, 5)])
    func boundedNearestCentroids(n: Int, d: Int, k: Int) throws {
        let points = TestData.values(n * d, seed: 62)
        var centroids = TestData.values(k * d, seed: 63)
        var state: [(assignments: Tensor, upper: Tensor, lower: Tensor, points: Tensor, norms: Tensor)] = []
        let backends = [harness.cpu, harness.openCL] as [any Backend]
        for backend in backends {
            let p = try backend.upload(points, shape: [n, d]), norms = try backend.zeros([n])
            try backend.rowSquaredNorms(p, into: norms)
            let upper = try backend.zeros([n]), lower = try backend.zeros([n])
            try backend.fill(upper, with: .infinity)
            state.append((try backend.zeros([n], elementType: .int32), upper, lower, p, norms))
        }
        var shifts = [Float](repeating: 0, count: k)
        var generator = SeededGenerator(seed: 64)
        for step in 0..<4 {
            let half = (0..<k).map { a in
                Float((0..<k).filter { $0 != a }.map { DistanceReference.squaredDistance(centroids, a, centroids, $0, d).squareRoot() }
                    .min().map { $0 / 2 } ?? .infinity)
            }
            var labels: [[Int32]] = []
            for (backend, s) in zip(backends, state) {
                try backend.boundedNearestCentroids(points: s.points, pointNorms: s.norms, centroids: backend.upload(centroids, shape: [k, d]),
                                                    shifts: shifts, halfSeparations: half, assignments: s.assignments,
                                                    upper: s.upper, lower: s.lower)
                let assigned = try backend.readIntegers(s.assignments), upper = try backend.read(s.upper), lower = try backend.read(s.lower)
                labels.append(assigned)
                let tolerance = 1e-3 * Double(d + 1).squareRoot()
                for i in 0..<n {
                    let exact = (0..<k).map { DistanceReference.squaredDistance(points, i, centroids, $0, d).squareRoot() }
                    let a = Int(assigned[i])
                    #expect(exact[a] <= exact.min()! + tolerance, "\(backend.kind) step \(step) point \(i): not nearest")
                    #expect(Double(upper[i]) >= exact[a] - tolerance, "\(backend.kind) step \(step) point \(i): upper bound")
                    for j in 0..<k where j != a {
                        #expect(Double(lower[i]) <= exact[j] + tolerance, "\(backend.kind) step \(step) point \(i): lower bound")
                    }
                }
            }
            let disagreements = zip(labels[0], labels[1]).filter { $0 != $1 }.count
            #expect(disagreements <= max(1, n / 1000), "step \(step): \(disagreements) assignments differ between backends")
            // Move every centroid a little (some not at all), as a Lloyd update would.
            let moved = centroids.map { $0 + (generator.nextFloat() < 0.3 ? 0 : generator.nextFloat(in: -0.05..<0.05)) }
            shifts = (0..<k).map { Float(DistanceReference.squaredDistance(moved, $0, centroids, $0, d).squareRoot()) }
            centroids = moved
        }
    }

    @Test(arguments: shapes)
    func clusterSums(n: Int, d: Int, k: Int) throws {
        let points = TestData.values(n * d, seed: 52)
        var labels = seededLabels(n, k: k + 1, seed: 53)  // label k belongs to no cluster
        if n > 3 { labels[1] = -1 }  // nor does a negative one
        let reference = DistanceReference.clusterSums(points: points, labels: labels, k: k, d: d)
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let p = try backend.upload(points, shape: [n, d]), a = try backend.uploadIntegers(labels, shape: [n])
            let sums = try backend.upload(TestData.values(k * d, seed: 54), shape: [k, d])
            let counts = try backend.upload(TestData.values(k, seed: 55), shape: [k])
            try backend.clusterSums(points: p, assignments: a, into: sums, counts: counts)
            let first = (try backend.read(sums), try backend.read(counts))
            #expect(first.1 == reference.counts.map(Float.init), "\(backend.kind) counts")
            #expect(worstError(first.0, reference.sums.map(Float.init), absolute: 1e-5 * Float(n).squareRoot(), relative: 1e-5) <= 1,
                    "\(backend.kind) sums \(n)x\(d)x\(k)")
            // Deterministic: the same call gives the same bits.
            try backend.clusterSums(points: p, assignments: a, into: sums, counts: counts)
            #expect(try backend.read(sums) == first.0, "\(backend.kind): repeat differs")
        }
    }

    @Test func oneHotFillsItsColumnsOnly() throws {
        let n = 257, width = 9
        let labels = seededLabels(n, k: 4, seed: 56)
        let initial = TestData.values(n * width, seed: 57)
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let memberships = try backend.upload(initial, shape: [n, width])
            try backend.oneHot(backend.uploadIntegers(labels, shape: [n]), classes: 3, into: memberships, columnOffset: 2)
            let values = try backend.read(memberships)
            for i in 0..<n {
                for c in 0..<width {
                    let expected: Float = (2..<5).contains(c) ? (Int(labels[i]) == c - 2 ? 1 : 0) : initial[i * width + c]
                    #expect(values[i * width + c] == expected, "\(backend.kind) row \(i) column \(c)")
                }
            }
        }
    }

    /// The symmetric tiled pass against the float64 double loop, with tiles smaller than n so
    /// that off-diagonal tiles serve both of their blocks, and edge tiles are partial.
    @Test(arguments: [(1, 3, 1, 4), (7, 1, 3, 3), (257, 32, 12, 64), (1000, 65, 20, 128), (2000, 12, 54, 512)])
    func silhouetteSums(n: Int, d: Int, t: Int, blockRows: Int) throws {
        let points = TestData.values(n * d, seed: 58)
        var memberships = [Float](repeating: 0, count: n * t)
        for i in 0..<n { memberships[i * t + (i * 7 + i / 3) % t] = 1 }
        let expected = DistanceReference.silhouetteSums(points: points, memberships: memberships, d: d, t: t).map(Float.init)
        var outputs: [[Float]] = []
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let p = try backend.upload(points, shape: [n, d]), norms = try backend.zeros([n])
            try backend.rowSquaredNorms(p, into: norms)
            let sums = try backend.upload(TestData.values(n * t, seed: 59), shape: [n, t])
            try backend.silhouetteSums(points: p, pointNorms: norms, memberships: backend.upload(memberships, shape: [n, t]),
                                       into: sums, blockRows: blockRows)
            outputs.append(try backend.read(sums))
            #expect(worstError(outputs.last!, expected, absolute: 1e-5, relative: 2e-5) <= 1, "\(backend.kind) \(n)x\(d), T \(t), tiles \(blockRows)")
        }
        #expect(worstError(outputs[1], outputs[0], absolute: 1e-5, relative: 2e-5) <= 1)
    }

    /// Identical points are exactly 0 apart, and a point is exactly 0 from itself, whatever
    /// their norms: a cluster of copies has within-cluster sums of exactly 0.
    @Test func identicalPointsAreExactlyZeroApart() throws {
        let d = 64, copies = 150, others = 107, n = copies + others
        let copy = TestData.values(d, seed: 60, in: 2..<3)
        let points = (0..<copies).flatMap { _ in copy } + TestData.values(others * d, seed: 61)
        var memberships = [Float](repeating: 0, count: n * 2)
        for i in 0..<n { memberships[i * 2 + (i < copies ? 0 : 1)] = 1 }
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let p = try backend.upload(points, shape: [n, d]), norms = try backend.zeros([n])
            try backend.rowSquaredNorms(p, into: norms)
            let sums = try backend.zeros([n, 2])
            try backend.silhouetteSums(points: p, pointNorms: norms, memberships: backend.upload(memberships, shape: [n, 2]),
                                       into: sums, blockRows: 64)
            let values = try backend.read(sums)
            #expect((0..<copies).allSatisfy { values[$0 * 2] == 0 }, "\(backend.kind): copies' own-cluster sums")
        }
    }

    @Test func rejectsWrongOperands() throws {
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let points = try backend.zeros([4, 3]), norms = try backend.zeros([4])
            let floatLabels = try backend.zeros([4]), distances = try backend.zeros([4])
            #expect(throws: EngineError.elementTypeMismatch(operation: "nearestCentroids", expected: .int32, actual: .float32)) {
                try backend.nearestCentroids(points: points, pointNorms: norms, centroids: backend.zeros([2, 3]),
                                             assignments: floatLabels, distances: distances)
            }
            #expect(throws: EngineError.self) {
                try backend.nearestCentroids(points: points, pointNorms: norms, centroids: backend.zeros([2, 5]),
                                             assignments: backend.zeros([4], elementType: .int32), distances: distances)
            }
            #expect(throws: EngineError.self) {
                try backend.oneHot(backend.zeros([4], elementType: .int32), classes: 3, into: backend.zeros([4, 3]), columnOffset: 1)
            }
            #expect(throws: EngineError.elementTypeMismatch(operation: "read", expected: .float32, actual: .int32)) {
                _ = try backend.read(backend.zeros([2], elementType: .int32))
            }
        }
    }

    @Test func integerTensorsRoundTrip() throws {
        let values: [Int32] = [0, -1, 7, Int32.max, Int32.min, 16_777_217]
        for backend in [harness.cpu, harness.openCL] as [any Backend] {
            let tensor = try backend.uploadIntegers(values, shape: [2, 3])
            #expect(try backend.readIntegers(tensor) == values)
            let copy = try backend.zeros([6], elementType: .int32)
            try backend.copy(tensor, to: copy)
            #expect(try backend.readIntegers(copy) == values)
            #expect(try backend.readIntegers(try tensor.reshaped([6])) == values)
            #expect(throws: EngineError.self) { try backend.copy(tensor, to: backend.zeros([6])) }
        }
    }
}
