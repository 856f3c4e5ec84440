import Engine
import Foundation

/// UMAP as umap-learn computes it (McInnes, Healy and Melville 2018), on a backend and threaded
/// Swift: the exact k nearest neighbours on the backend (`Backend.kNearest`); the fuzzy simplicial
/// set, the spectral initialization and the layout on the host, threaded over fixed ranges of
/// points, because they are sparse, irregular work that a GEMM-shaped kernel does not fit. The
/// same seed gives the same map, bit for bit, on any number of threads.
public struct UMAP {
    public let configuration: UMAPConfiguration

    public init(_ configuration: UMAPConfiguration = UMAPConfiguration()) {
        self.configuration = configuration
    }

    /// Maps the points of `matrix` to 2-D.
    /// - Throws: `SignaturesError.invalidArgument` for a bad configuration or fewer than 3 points;
    ///   engine errors.
    public func embed(_ matrix: PointMatrix) throws -> UMAPEmbedding {
        try configuration.validate()
        let n = matrix.rows
        guard n >= 3 else { throw SignaturesError.invalidArgument("UMAP needs at least 3 points, got \(n)") }
        var phases: [PhaseTime] = []
        var clock = ContinuousClock.now
        let others = min(configuration.neighbors - 1, n - 1)
        let (indices, distances) = try Self.neighbourLists(matrix, others: others)
        phases.append(PhaseTime(phase: "neighbours", seconds: clock.secondsSince()))

        clock = ContinuousClock.now
        let epochs = configuration.epochs(for: n)
        let full = FuzzySimplicialSet.graph(indices: indices, distances: distances, k: others + 1)
        // umap-learn drops the edges too light to be sampled once in the epochs.
        let graph = full.pruned(below: (full.weights.max() ?? 0) / Float(epochs))
        phases.append(PhaseTime(phase: "fuzzy set", seconds: clock.secondsSince()))

        clock = ContinuousClock.now
        var generator = SeededGenerator(seed: configuration.seed)
        var initialization = "spectral"
        var coordinates: [Float]
        if let spectral = SpectralInitialization.coordinates(graph, generator: &generator) {
            coordinates = spectral
        } else {
            // umap-learn's random initialization, where the spectral one does not apply.
            initialization = "random"
            coordinates = (0..<2 * n).map { _ in Float(Double(generator.next() >> 11) * 0x1p-53 * 20 - 10) }
        }
        Self.rescale(&coordinates)
        phases.append(PhaseTime(phase: "initialization", seconds: clock.secondsSince()))

        clock = ContinuousClock.now
        let curve = CurveParameters(minDist: configuration.minDist, spread: configuration.spread)
        UMAPLayout(graph: graph, epochs: epochs, a: Float(curve.a), b: Float(curve.b),
                   negativeSampleRate: configuration.negativeSampleRate, seed: configuration.seed).optimize(&coordinates)
        phases.append(PhaseTime(phase: "layout", seconds: clock.secondsSince()))
        return UMAPEmbedding(coordinates: coordinates, initialization: initialization, epochs: epochs, a: curve.a, b: curve.b,
                             phases: phases)
    }

    /// Each point's neighbour list as umap-learn's: itself first (distance 0), then its `others`
    /// nearest other points, ascending.
    static func neighbourLists(_ matrix: PointMatrix, others: Int) throws -> (indices: [Int32], distances: [Float]) {
        let n = matrix.rows, backend = matrix.backend, k = others + 1
        let indexTensor = try backend.zeros([n, others], elementType: .int32), distanceTensor = try backend.zeros([n, others])
        try backend.kNearest(queries: matrix.points, queryNorms: matrix.squaredNorms, points: matrix.points,
                             pointNorms: matrix.squaredNorms, k: others, selfOffset: 0, indices: indexTensor, distances: distanceTensor)
        let found = try backend.readIntegers(indexTensor), foundDistances = try backend.read(distanceTensor)
        var indices = [Int32](repeating: 0, count: n * k), distances = [Float](repeating: 0, count: n * k)
        for i in 0..<n {
            indices[i * k] = Int32(i)
            for j in 0..<others {
                indices[i * k + 1 + j] = found[i * others + j]
                distances[i * k + 1 + j] = foundDistances[i * others + j]
            }
        }
        return (indices, distances)
    }

    /// Each column to [0, 10], as umap-learn does before the layout.
    static func rescale(_ coordinates: inout [Float]) {
        for column in 0..<2 {
            var low = Float.infinity, high = -Float.infinity
            for i in stride(from: column, to: coordinates.count, by: 2) {
                low = min(low, coordinates[i])
                high = max(high, coordinates[i])
            }
            let range = high - low
            for i in stride(from: column, to: coordinates.count, by: 2) {
                coordinates[i] = range > 0 ? 10 * (coordinates[i] - low) / range : 0
            }
        }
    }
}
