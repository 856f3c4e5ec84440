import Engine
import Signatures
import Testing

/// The exact silhouette on both backends against scikit-learn's `silhouette_score`.
@Suite("Silhouette against scikit-learn", .serialized)
struct SilhouetteTests {
    let backends: [any Backend]
    init() throws { backends = try ClusteringBackends.all() }

    /// All six fixture labelings in one pass, within 1e-6 of scikit-learn's float64 scores; the
    /// per-point values of the two k = 4 runs too. Tiles of 128 rows exercise the symmetric pass.
    @Test func matchesTheKMeansFixture() throws {
        let fixture = try KMeansFixture.load()
        for backend in backends {
            let matrix = try PointMatrix(fixture.points, rows: fixture.n, columns: fixture.d, backend: backend)
            let silhouette = Silhouette(blockRows: 128)
            let samples = try silhouette.samples(of: fixture.runs.map(\.labels), on: matrix)
            let scores = try silhouette.scores(of: fixture.runs.map(\.labels), on: matrix)
            for (run, (values, score)) in zip(fixture.runs, zip(samples, scores)) {
                #expect(abs(score - run.silhouette) <= 1e-6, "\(backend.kind) k=\(run.k) \(run.name): \(score) vs \(run.silhouette)")
                if let expected = run.samples {
                    let worst = zip(values, expected).map { abs($0 - $1) }.max()!
                    #expect(worst <= 1e-5, "\(backend.kind) k=\(run.k): per-point values off by \(worst)")
                }
            }
        }
    }

    /// `study_metrics_reference.json`'s block: 2000 x 12 ReLU-like points with 180 identical
    /// all-zero rows (distances of exactly 0), several k in one pass.
    @Test func matchesTheStudyMetricsFixture() throws {
        let block = try StudyMetricsFixture.block("silhouette")
        let points = try StudyMetricsFixture.doubleRows(block["X"])
        let runs = try StudyMetricsFixture.list(block["runs"]).compactMap { $0 as? [String: Any] }
        let labelings = try runs.map { try StudyMetricsFixture.ints($0["clusters"]).map(Int32.init) }
        let expected = try runs.map { try StudyMetricsFixture.double($0["silhouette"]) }
        for backend in backends {
            let matrix = try PointMatrix(points.flatMap { $0.map(Float.init) }, rows: points.count, columns: points[0].count,
                                         backend: backend)
            let scores = try Silhouette(blockRows: 512).scores(of: labelings, on: matrix)
            for (k, (score, reference)) in zip(runs.map { $0["k"] ?? "?" }, zip(scores, expected)) {
                #expect(abs(score - reference) <= 1e-6, "\(backend.kind) k=\(k): \(score) vs \(reference)")
            }
        }
    }

    /// The tile size changes the summation order only.
    @Test func tileSizeChangesNothingButRounding() throws {
        let fixture = try KMeansFixture.load()
        let matrix = try PointMatrix(fixture.points, rows: fixture.n, columns: fixture.d, backend: CPUBackend())
        let labels = fixture.runs.map(\.labels)
        let whole = try Silhouette(blockRows: 600).scores(of: labels, on: matrix)
        for rows in [1, 7, 599] {
            let tiled = try Silhouette(blockRows: rows).scores(of: labels, on: matrix)
            #expect(zip(whole, tiled).allSatisfy { abs($0 - $1) <= 1e-7 }, "tiles of \(rows)")
        }
    }

    /// scikit-learn's conventions: labels are any integers (renumbered in sorted order), a
    /// point alone in its cluster scores 0, and the score needs 2 ... n - 1 clusters.
    @Test func conventions() throws {
        let backend = CPUBackend()
        let matrix = try PointMatrix([0, 0, 1, 0, 0, 1, 10, 10, 10, 11], rows: 5, columns: 2, backend: backend)
        let labels: [Int32] = [4, 4, 4, -2, -2]
        let renamed: [Int32] = [0, 0, 0, 1, 1]
        #expect(try Silhouette().scores(of: [labels], on: matrix) == Silhouette().scores(of: [renamed], on: matrix))
        let samples = try Silhouette().samples(of: [[0, 0, 0, 0, 1]], on: matrix)[0]
        #expect(samples[4] == 0)
        #expect(throws: SignaturesError.self) { try Silhouette().scores(of: [[0, 0, 0, 0, 0]], on: matrix) }
        #expect(throws: SignaturesError.self) { try Silhouette().scores(of: [[0, 1, 2, 3, 4]], on: matrix) }
        #expect(throws: SignaturesError.self) { try Silhouette().scores(of: [[0, 1]], on: matrix) }
    }

    /// `sampleSize` scores a seeded subset: the whole set when it is all of it, repeatable, and
    /// close to the exact score on blobs.
    @Test func sampledScores() throws {
        let fixture = try KMeansFixture.load()
        let matrix = try PointMatrix(fixture.points, rows: fixture.n, columns: fixture.d, backend: CPUBackend())
        let labels = [fixture.runs[3].labels]
        let exact = try Silhouette().scores(of: labels, on: matrix)[0]
        let all = try Silhouette().scores(of: labels, on: matrix, sampleSize: fixture.n, seed: 1)[0]
        #expect(abs(all - exact) <= 1e-9)
        let sampled = try Silhouette().scores(of: labels, on: matrix, sampleSize: 300, seed: 1)[0]
        #expect(try Silhouette().scores(of: labels, on: matrix, sampleSize: 300, seed: 1)[0] == sampled)
        #expect(abs(sampled - exact) < 0.05)
        #expect(throws: SignaturesError.self) { try Silhouette().scores(of: labels, on: matrix, sampleSize: 1, seed: 1) }
    }
}
