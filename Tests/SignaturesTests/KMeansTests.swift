import Engine
import Signatures
import Testing

/// K-means on both backends against scikit-learn's `KMeans(algorithm="lloyd")`.
@Suite("K-means against scikit-learn", .serialized)
struct KMeansTests {
    let fixture: KMeansFixture
    let backends: [any Backend]

    init() throws {
        fixture = try KMeansFixture.load()
        backends = try ClusteringBackends.all()
    }

    /// From the fixture's initial centroids: scikit-learn's labels exactly, its inertia and
    /// centroids within 1e-5 relative (it centres the data first, so the last bits differ), and
    /// its iteration count.
    @Test func reproducesScikitLearnFromItsInitialCentroids() throws {
        for backend in backends {
            let matrix = try PointMatrix(fixture.points, rows: fixture.n, columns: fixture.d, backend: backend)
            for run in fixture.runs {
                let result = try KMeans(KMeansConfiguration(clusters: run.k, restarts: 1))
                    .fit(matrix, initialCentroids: run.initialCentroids)
                let what = "\(backend.kind) k=\(run.k) \(run.name)"
                #expect(result.assignments == run.labels, "\(what): labels")
                #expect(abs(result.inertia - run.inertia) <= 1e-5 * run.inertia, "\(what): inertia \(result.inertia) vs \(run.inertia)")
                #expect(result.iterations == run.iterations, "\(what): \(result.iterations) iterations vs \(run.iterations)")
                let worst = zip(result.centroids, run.centroids).map { abs($0 - $1) / max(abs($1), 1) }.max()!
                #expect(worst <= 1e-5, "\(what): centroids off by \(worst)")
                #expect(result.sizes.reduce(0, +) == fixture.n)
            }
        }
    }

    /// k-means++ with restarts finds the four blobs (every point with its blob) and an inertia no
    /// worse than scikit-learn's best run of the fixture.
    @Test func seededRestartsFindTheBlobs() throws {
        let best = fixture.runs.filter { $0.k == 4 }.map(\.inertia).min()!
        for backend in backends {
            let matrix = try PointMatrix(fixture.points, rows: fixture.n, columns: fixture.d, backend: backend)
            let result = try KMeans(KMeansConfiguration(clusters: 4, restarts: 10, seed: 3)).fit(matrix)
            #expect(result.inertia <= best * (1 + 1e-5), "\(backend.kind): inertia \(result.inertia) vs \(best)")
            let agreement = try ClusterAgreement(labels: fixture.trueBlob, clusters: result.assignments)
            #expect(agreement.adjustedRandIndex > 0.99, "\(backend.kind): ARI \(agreement.adjustedRandIndex)")
        }
    }

    /// One seed, one clustering, bit for bit; another seed is another draw of seeds.
    @Test func oneSeedGivesOneClustering() throws {
        let blobs = gaussianBlobs(centers: [[0, 0, 0], [3, 0, 1], [0, 4, 2], [2, 2, 2], [5, 5, 0]], perBlob: 200, spread: 1.2, seed: 9)
        for backend in backends {
            let matrix = try PointMatrix(blobs.points, rows: 1000, columns: 3, backend: backend)
            let configuration = KMeansConfiguration(clusters: 6, restarts: 3, seed: 11)
            let first = try KMeans(configuration).fit(matrix), second = try KMeans(configuration).fit(matrix)
            #expect(first == second, "\(backend.kind)")
            var other = configuration
            other.seed = 12
            #expect(try KMeans(other).fit(matrix).centroids != first.centroids, "\(backend.kind): seeds 11 and 12")
        }
    }

    /// The closing assignment and its inertia (from the cluster totals, not from distances):
    /// every label is a nearest final centroid and the inertia is the float64 sum of the squared
    /// distances to them, within 1e-5 relative (the tolerance against scikit-learn) on points far
    /// from the origin, where the float32 sums of the backend round most (a float32 distance
    /// there rounds by about as much).
    @Test func theResultIsTheNearestCentroidsAndTheirInertia() throws {
        let blobs = gaussianBlobs(centers: [[40, 40, 40], [43, 40, 41], [40, 44, 42], [42, 42, 42]], perBlob: 150, spread: 1.5, seed: 14)
        let n = 600, d = 3
        for backend in backends {
            let matrix = try PointMatrix(blobs.points, rows: n, columns: d, backend: backend)
            for k in [2, 3, 9] {
                let result = try KMeans(KMeansConfiguration(clusters: k, restarts: 2, maximumIterations: 3, seed: 4)).fit(matrix)
                var inertia = 0.0
                for i in 0..<n {
                    let squared = (0..<k).map { c in
                        (0..<d).reduce(0.0) { sum, j in
                            let difference = Double(blobs.points[i * d + j]) - Double(result.centroids[c * d + j])
                            return sum + difference * difference
                        }
                    }
                    let own = squared[Int(result.assignments[i])]
                    #expect(own <= squared.min()! * (1 + 1e-5) + 1e-5, "\(backend.kind) k=\(k) point \(i): not nearest")
                    inertia += own
                }
                #expect(abs(result.inertia - inertia) <= 1e-5 * inertia, "\(backend.kind) k=\(k): inertia \(result.inertia) vs \(inertia)")
                #expect(result.sizes == (0..<k).map { c in result.assignments.filter { $0 == c }.count }, "\(backend.kind) k=\(k)")
            }
        }
    }

    /// The kept run is the lowest inertia of all the restarts tried, the first of them on ties.
    @Test func keepsTheLowestInertia() throws {
        let blobs = gaussianBlobs(centers: [[0, 0], [6, 0], [0, 6], [6, 6], [3, 3]], perBlob: 60, spread: 1.5, seed: 5)
        let matrix = try PointMatrix(blobs.points, rows: 300, columns: 2, backend: CPUBackend())
        let many = try KMeans(KMeansConfiguration(clusters: 7, restarts: 8, seed: 21)).fit(matrix)
        #expect(many.restartInertias.count == 8)
        #expect(many.inertia == many.restartInertias.min())
        #expect(many.restart == many.restartInertias.firstIndex(of: many.restartInertias.min()!))
        #expect(Set(many.restartInertias).count > 1, "restarts from different seeds end differently")
        #expect(many.totalIterations >= many.iterations)
    }

    /// The first assignment of a seeded run starts from the bounds k-means++ leaves behind; it
    /// must give exactly what the same centroids give from scratch.
    @Test func seedingBoundsChangeNothing() throws {
        for backend in backends {
            let matrix = try PointMatrix(fixture.points, rows: fixture.n, columns: fixture.d, backend: backend)
            for k in [2, 5, 9] {
                let seeded = try KMeans(KMeansConfiguration(clusters: k, restarts: 1, seed: UInt64(k))).fit(matrix)
                #expect(seeded.seeds.count == k)
                let fromScratch = try KMeans(KMeansConfiguration(clusters: k, restarts: 1))
                    .fit(matrix, initialCentroids: seeded.seeds.flatMap { matrix.row($0) })
                #expect(fromScratch.assignments == seeded.assignments, "\(backend.kind) k=\(k)")
                #expect(fromScratch.centroids == seeded.centroids, "\(backend.kind) k=\(k)")
                #expect(fromScratch.iterations == seeded.iterations, "\(backend.kind) k=\(k)")
            }
        }
    }

    /// A centroid that no point is nearest to: scikit-learn moves the point farthest from its
    /// centroid into it. After one iteration that centroid is exactly that point.
    @Test func relocatesEmptyClusters() throws {
        let d = fixture.d
        let initial = Array(fixture.runs[0].initialCentroids) + [Float](repeating: 1000, count: d)  // k = 3, one unreachable
        // The farthest point from its nearest initial centroid, in float64.
        var farthest = 0, largest = -1.0
        for i in 0..<fixture.n {
            let nearest = (0..<3).map { c in (0..<d).reduce(0.0) { sum, j in
                let difference = Double(fixture.points[i * d + j]) - Double(initial[c * d + j])
                return sum + difference * difference
            } }.min()!
            if nearest > largest { (farthest, largest) = (i, nearest) }
        }
        for backend in backends {
            let matrix = try PointMatrix(fixture.points, rows: fixture.n, columns: d, backend: backend)
            let once = try KMeans(KMeansConfiguration(clusters: 3, restarts: 1, maximumIterations: 1)).fit(matrix, initialCentroids: initial)
            #expect(Array(once.centroids[2 * d..<3 * d]) == Array(matrix.row(farthest)), "\(backend.kind): relocated centroid")
            let result = try KMeans(KMeansConfiguration(clusters: 3, restarts: 1)).fit(matrix, initialCentroids: initial)
            #expect(result.sizes.allSatisfy { $0 > 0 }, "\(backend.kind): sizes \(result.sizes)")
        }
    }

    @Test func rejectsWhatCannotBeClustered() throws {
        let backend = CPUBackend()
        let repeated = try PointMatrix([1, 2, 1, 2, 1, 2, 3, 4], rows: 4, columns: 2, backend: backend)
        #expect(throws: SignaturesError.insufficientData(
            "K-means with k = 3 needs at least 3 distinct points; the 4 points have 2")) {
            try KMeans(KMeansConfiguration(clusters: 3)).fit(repeated)
        }
        #expect(try KMeans(KMeansConfiguration(clusters: 2, restarts: 2)).fit(repeated).sizes.sorted() == [1, 3])
        #expect(throws: SignaturesError.self) { try KMeans(KMeansConfiguration(clusters: 0)).fit(repeated) }
        #expect(throws: SignaturesError.self) { try KMeans(KMeansConfiguration(clusters: 2, restarts: 0)).fit(repeated) }
        #expect(throws: SignaturesError.self) { try PointMatrix([1, 2, 3], rows: 2, columns: 2, backend: backend) }
        #expect(throws: SignaturesError.self) { try PointMatrix([1, .nan], rows: 1, columns: 2, backend: backend) }
        #expect(throws: SignaturesError.self) {
            try KMeans(KMeansConfiguration(clusters: 2)).fit(repeated, initialCentroids: [1, 2, 3])
        }
        #expect(throws: SignaturesError.self) {
            try KMeans(KMeansConfiguration(clusters: 2)).fit(repeated, initialCentroids: [1, 2, .nan, 4])
        }
    }
}
