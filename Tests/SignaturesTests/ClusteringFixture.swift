import Engine
import Foundation
import OpenCL

/// `kmeans_silhouette_reference.json`: 600 x 8 float32 blobs and six scikit-learn KMeans runs.
struct KMeansFixture {
    struct Run {
        var k: Int
        var name: String
        var initialCentroids: [Float]
        var labels: [Int32]
        var centroids: [Float]
        var inertia: Double
        var iterations: Int
        var silhouette: Double
        var samples: [Double]?
    }

    var points: [Float]
    var trueBlob: [Int]
    var n: Int, d: Int
    var runs: [Run]

    static func load() throws -> KMeansFixture {
        let json = try loadFixture("kmeans_silhouette_reference.json")
        let f = StudyMetricsFixture.self
        let runs = try f.list(json["results"]).map { entry -> Run in
            guard let run = entry as? [String: Any] else { throw FixtureError("a run is not an object") }
            return Run(k: try f.int(run["k"]), name: run["init_name"] as? String ?? "?",
                       initialCentroids: try f.doubleRows(run["init_centroids"]).flatMap { $0.map(Float.init) },
                       labels: try f.ints(run["labels"]).map(Int32.init),
                       centroids: try f.doubleRows(run["centroids"]).flatMap { $0.map(Float.init) },
                       inertia: try f.double(run["inertia"]), iterations: try f.int(run["n_iter"]),
                       silhouette: try f.double(run["silhouette_score"]),
                       samples: try run["silhouette_samples"].map(f.doubles))
        }
        return KMeansFixture(points: try f.doubleRows(json["X"]).flatMap { $0.map(Float.init) },
                             trueBlob: try f.ints(json["true_blob"]), n: try f.int(json["n"]), d: try f.int(json["d"]),
                             runs: runs)
    }
}

/// The backends the clustering tests run on: the CPU reference and OpenCL on the first device.
enum ClusteringBackends {
    static func all() throws -> [any Backend] {
        guard let device = try Device.all().first else {
            throw FixtureError("no OpenCL device: install pocl-opencl-icd (scripts/install-system-packages.sh)")
        }
        // The default kernel parameters: no stored tuning of this machine changes the tests.
        return [CPUBackend(), try OpenCLBackend(device: device, tuning: .defaults(for: device))]
    }
}

/// Gaussian blobs: `perBlob` points around each of `centers` (row-major, `d` columns each),
/// standard deviation `spread`, from the engine's seeded generator (Box-Muller).
func gaussianBlobs(centers: [[Float]], perBlob: Int, spread: Float, seed: UInt64) -> (points: [Float], blob: [Int]) {
    var generator = SeededGenerator(seed: seed)
    var points: [Float] = [], blob: [Int] = []
    for (index, center) in centers.enumerated() {
        for _ in 0..<perBlob {
            for value in center {
                let u = Double(generator.nextFloat(in: Float.leastNormalMagnitude..<1)), v = Double(generator.nextFloat())
                points.append(value + spread * Float((-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)))
            }
            blob.append(index)
        }
    }
    return (points, blob)
}
