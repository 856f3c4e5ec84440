import Engine
import Foundation
import Testing
import SplitMix
@testable import Signatures

/// UMAP's pieces against umap-learn (`Fixtures/umap_reference.json`, made by
/// `Benchmarks/peers/umap_reference.py` from the trustworthiness fixture's 200 x 10 points), and
/// the whole map on blobs.
@Suite("UMAP")
struct UMAPTests {
    static func reference() throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/umap_reference.json")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    static func trustworthinessFixture() throws -> (x: [Float], y: [Float], expected: [String: Double], firstTwo: [String: Double]) {
        let json = try loadFixture("trustworthiness_reference.json")
        let x = try #require(json["X"] as? [[Double]]).flatMap { $0.map(Float.init) }
        let y = try #require(json["Y"] as? [[Double]]).flatMap { $0.map(Float.init) }
        return (x, y, try #require(json["trustworthiness"] as? [String: Double]),
                try #require(json["trustworthiness_Y_equals_X_first2_cols"] as? [String: Double]))
    }

    @Test func curveParametersAreUMAPLearns() throws {
        let ab = try #require(try Self.reference()["ab"] as? [String: [Double]])
        for (key, expected) in ab {
            let parts = key.split(separator: ",").map { Double($0)! }
            let curve = CurveParameters(minDist: parts[0], spread: parts[1])
            #expect(abs(curve.a - expected[0]) < 1e-4 * expected[0], "a for \(key): \(curve.a) vs \(expected[0])")
            #expect(abs(curve.b - expected[1]) < 1e-4 * expected[1], "b for \(key): \(curve.b) vs \(expected[1])")
        }
    }

    @Test func smoothDistancesAreUMAPLearns() throws {
        let json = try Self.reference()
        let distances = try #require(json["knn_dists"] as? [[Double]]).flatMap { $0.map(Float.init) }
        let rho = try #require(json["rho"] as? [Double]), sigma = try #require(json["sigma"] as? [Double])
        let (ours, oursSigma) = FuzzySimplicialSet.smoothDistances(distances, k: 15)
        let rhoError = zip(ours, rho).map { abs($0 - $1) }.max() ?? 0
        let sigmaError = zip(oursSigma, sigma).map { abs($0 - $1) / $1 }.max() ?? 0
        #expect(rhoError < 1e-6, "rho: the nearest positive distance, \(rhoError)")
        #expect(sigmaError < 1e-4, "sigma: bisection to umap-learn's 1e-5 tolerance, relative \(sigmaError)")
    }

    @Test func fuzzySetIsUMAPLearns() throws {
        let json = try Self.reference()
        let indices = try #require(json["knn_indices"] as? [[Int]]).flatMap { $0.map(Int32.init) }
        let distances = try #require(json["knn_dists"] as? [[Double]]).flatMap { $0.map(Float.init) }
        let graph = try #require(json["graph"] as? [String: [Double]])
        var expected: [Int: Double] = [:]
        for (row, (column, value)) in zip(graph["rows"]!, zip(graph["cols"]!, graph["vals"]!)) {
            expected[Int(row) * 200 + Int(column)] = value
        }
        let ours = FuzzySimplicialSet.graph(indices: indices, distances: distances, k: 15)
        var found: [Int: Double] = [:]
        for i in 0..<ours.vertices {
            for edge in ours.rowStart[i]..<ours.rowStart[i + 1] { found[i * 200 + Int(ours.columns[edge])] = Double(ours.weights[edge]) }
        }
        #expect(Set(found.keys) == Set(expected.keys), "the same edges")
        let worst = expected.map { abs($0.value - (found[$0.key] ?? -1)) }.max() ?? 0
        #expect(worst < 1e-5, "memberships within float32 rounding of umap-learn's: \(worst)")
    }

    @Test func trustworthinessIsScikitLearns() throws {
        let fixture = try Self.trustworthinessFixture()
        for (key, expected) in fixture.expected {
            let k = Int(key)!
            let ours = try Trustworthiness.score(original: fixture.x, dimensions: 10, embedding: fixture.y, embeddingDimensions: 2, neighbors: k)
            #expect(abs(ours - expected) < 1e-9, "k = \(k): \(ours) vs \(expected)")
        }
        let firstTwo = stride(from: 0, to: fixture.x.count, by: 10).flatMap { fixture.x[$0..<$0 + 2] }
        for (key, expected) in fixture.firstTwo {
            let ours = try Trustworthiness.score(original: fixture.x, dimensions: 10, embedding: firstTwo, embeddingDimensions: 2,
                                                 neighbors: Int(key)!)
            #expect(abs(ours - expected) < 1e-9, "Y = X[:, :2], k = \(key): \(ours) vs \(expected)")
        }
        #expect(throws: SignaturesError.self) {
            try Trustworthiness.score(original: fixture.x, dimensions: 10, embedding: fixture.y, embeddingDimensions: 2, neighbors: 100)
        }
    }

    @Test func theSpectralInitializationFindsTwoChainsOfATwoBlockGraph() throws {
        // Two dense blocks joined by one edge: the second eigenvector splits them.
        var rows: [Int] = [0], columns: [Int32] = [], weights: [Float] = []
        let n = 40
        for i in 0..<n {
            for j in 0..<n where j != i && (i < 20) == (j < 20) { columns.append(Int32(j)); weights.append(1) }
            if i == 19 { columns.append(20); weights.append(0.1) }
            if i == 20 { columns.append(19); weights.append(0.1) }
            // Keep each row's columns ascending.
            let start = rows.last!
            let sorted = zip(columns[start...], weights[start...]).sorted { $0.0 < $1.0 }
            columns.replaceSubrange(start..., with: sorted.map(\.0))
            weights.replaceSubrange(start..., with: sorted.map(\.1))
            rows.append(columns.count)
        }
        let graph = SparseGraph(vertices: n, rowStart: rows, columns: columns, weights: weights)
        var generator = SeededGenerator(seed: 1)
        let coordinates = try #require(SpectralInitialization.coordinates(graph, generator: &generator))
        let first = (0..<20).map { coordinates[2 * $0] }, second = (20..<40).map { coordinates[2 * $0] }
        #expect(first.allSatisfy { $0 > 0 } != second.allSatisfy { $0 > 0 } || first.allSatisfy { $0 < 0 } != second.allSatisfy { $0 < 0 },
                "the Fiedler vector's sign tells the blocks apart: \(first) \(second)")
        #expect(coordinates.map(abs).max()! <= 10.001, "scaled to 10 at most")
    }

    /// The Lanczos iteration on a graph shaped like UMAP's: three clusters of unequal size (random
    /// sparse edges within, a few between), so `D^-1/2 W D^-1/2` has two eigenvalues just below
    /// the trivial 1, apart from the rest (near 0.7 and below). What it returns must be those
    /// eigenvectors: residuals near round-off, eigenvalues above 0.9, orthogonal to the trivial
    /// eigenvector and to each other. At 3,000 vertices (54 steps) the reorthogonalization matters.
    @Test(arguments: [300, 3000])
    func lanczosFindsTheClustersLeadingEigenvectors(n: Int) throws {
        var generator = SeededGenerator(seed: 7)
        var neighbours = [Set<Int>](repeating: [], count: n)
        let bounds = [0, n / 5, n / 2, n]   // clusters of n/5, 3n/10 and n/2 vertices
        for cluster in 0..<3 {
            let members = bounds[cluster]..<bounds[cluster + 1]
            for i in members {
                for _ in 0..<4 {
                    let j = members.lowerBound + Int(generator.next() % UInt64(members.count))
                    if j != i { neighbours[i].insert(j); neighbours[j].insert(i) }
                }
            }
        }
        for i in stride(from: 0, to: n, by: 25) {
            let j = (i + n / 3) % n
            neighbours[i].insert(j)
            neighbours[j].insert(i)
        }
        var rows: [Int] = [0], columns: [Int32] = []
        for i in 0..<n {
            columns += neighbours[i].sorted().map(Int32.init)
            rows.append(columns.count)
        }
        let graph = SparseGraph(vertices: n, rowStart: rows, columns: columns, weights: [Float](repeating: 1, count: columns.count))
        let degree = (0..<n).map { Double(rows[$0 + 1] - rows[$0]) }, inverseRoot = degree.map { 1 / $0.squareRoot() }
        var trivial = degree.map { $0.squareRoot() }
        SpectralInitialization.normalize(&trivial)
        let multiply = { (x: [Double]) -> [Double] in SpectralInitialization.product(graph, inverseRoot, x) }
        let vectors = try #require(SpectralInitialization.leadingEigenvectors(count: 2, dimension: n, deflating: trivial,
                                                                              generator: &generator, multiply: multiply))
        var unit: [[Double]] = []
        for (rank, vector) in vectors.enumerated() {
            var v = vector
            SpectralInitialization.normalize(&v)
            let image = multiply(v), value = SpectralInitialization.dot(image, v)
            let residual = zip(image, v).map { ($0 - value * $1) * ($0 - value * $1) }.reduce(0, +).squareRoot()
            #expect(value > 0.9, "n \(n), eigenvalue \(rank + 2): \(value)")
            #expect(residual < 1e-6, "n \(n), eigenvector \(rank + 2): residual \(residual)")
            #expect(abs(SpectralInitialization.dot(v, trivial)) < 1e-9, "n \(n): orthogonal to the trivial eigenvector")
            unit.append(v)
        }
        #expect(abs(SpectralInitialization.dot(unit[0], unit[1])) < 1e-9, "n \(n): the two are orthogonal")
    }

    /// Three Gaussian blobs in 8-D.
    static func blobs(_ perBlob: Int) -> (values: [Float], labels: [Int]) {
        var generator = SeededGenerator(seed: 3)
        var values: [Float] = [], labels: [Int] = []
        for blob in 0..<3 {
            for _ in 0..<perBlob {
                for c in 0..<8 { values.append(Float(c == blob ? 6 : 0) + Float(SpectralInitialization.normal(&generator))) }
                labels.append(blob)
            }
        }
        return (values, labels)
    }

    @Test func theMapKeepsNeighbourhoodsAndRepeatsBitForBit() throws {
        let (values, _) = Self.blobs(200)
        let matrix = try PointMatrix(values, rows: 600, columns: 8, backend: CPUBackend())
        let configuration = UMAPConfiguration(epochs: 200, seed: 7)
        let first = try UMAP(configuration).embed(matrix), second = try UMAP(configuration).embed(matrix)
        #expect(first.coordinates == second.coordinates, "one seed, one map")
        #expect(first.initialization == "random", "three blobs far apart make three components: no spectral layout")
        let trust = try Trustworthiness.score(original: values, dimensions: 8, embedding: first.coordinates, embeddingDimensions: 2, neighbors: 15)
        #expect(trust > 0.9, "trustworthiness \(trust)")
        let finite = first.coordinates.allSatisfy { $0.isFinite }
        #expect(finite)
    }

    @Test func aConnectedGraphStartsFromTheSpectralLayout() throws {
        // A noisy curve in 5-D: one component.
        var generator = SeededGenerator(seed: 5)
        var values: [Float] = []
        for i in 0..<400 {
            let t = Float(i) / 40
            values += [t, sin(t), cos(t)] + (0..<2).map { _ in Float(SpectralInitialization.normal(&generator)) * 0.05 }
        }
        let matrix = try PointMatrix(values, rows: 400, columns: 5, backend: CPUBackend())
        let map = try UMAP(UMAPConfiguration(seed: 1)).embed(matrix)   // 500 epochs, as umap-learn below 10,000 points
        #expect(map.initialization == "spectral")
        let trust = try Trustworthiness.score(original: values, dimensions: 5, embedding: map.coordinates, embeddingDimensions: 2, neighbors: 10)
        #expect(trust > 0.95, "a curve maps to a curve: trustworthiness \(trust)")
    }
}

extension UMAPTests {
    @Test func negativeSamplesAreUniformOverTheVertices() {
        // 1,000 vertices, 200,000 draws: each count is 200 +- 14 (binomial); every vertex is drawn.
        var counts = [Int](repeating: 0, count: 1000)
        for draw in 0..<200_000 {
            counts[UMAPLayout.vertex(SplitMix64.mix(0x1234_5678_9ABC &+ UInt64(draw) &* SplitMix64.gamma), vertices: 1000)] += 1
        }
        #expect(counts.min()! > 130 && counts.max()! < 270, "counts \(counts.min()!) ... \(counts.max()!)")
    }
}

extension UMAPTests {
    @Test func theFastPowerIsWithinAFewHundredThousandthsOfPow() {
        var worst: Float = 0
        for exponent in [0.5, 0.8950609, 1.3341670, -0.1049391] as [Float] {
            for step in 0..<2000 {
                let x = Float(step + 1) * 0.05 * (step % 2 == 0 ? 1 : 1e-3)
                let exact = Float(Foundation.pow(Double(x), Double(exponent)))
                worst = max(worst, abs(fastPower(x, exponent) - exact) / exact)
            }
        }
        #expect(worst < 5e-5, "relative error \(worst)")
    }
}
