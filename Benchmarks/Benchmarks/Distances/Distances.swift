import Benchmark
import Engine
import GEMMContenders

// The distance operations of K-means and the silhouette, per backend (CPUBackend, and
// OpenCLBackend on the device `--device opencl` would pick), on seeded uniform points:
//   nearest     nearestCentroids, 70,000 x 64 points, k = 10 (one Lloyd assignment of the study's
//               full-MNIST second layer)
//   sums        clusterSums, the same shape (one Lloyd update)
//   silhouette  silhouetteSums, 5,000 x 64 points, T = 54 membership columns (k = 2 ... 10 at once)
// One iteration is one call plus synchronize(); inputs, uploads and program builds are set up
// untimed. `swift run -c release distance-timings` prints the same operations as a table.

struct DistanceWorkload {
    let backend: any Backend
    let points: Tensor, norms: Tensor, centroids: Tensor, assignments: Tensor, distances: Tensor
    let sums: Tensor, counts: Tensor, memberships: Tensor, silhouetteSums: Tensor
    let silhouettePoints: Tensor, silhouetteNorms: Tensor

    init(_ backend: any Backend, n: Int = 70_000, d: Int = 64, k: Int = 10, silhouetteN: Int = 5_000, t: Int = 54) throws {
        self.backend = backend
        var generator = SeededGenerator(seed: 1)
        let values = (0..<n * d).map { _ in generator.nextFloat(in: -2..<2) }
        points = try backend.upload(values, shape: [n, d])
        norms = try backend.zeros([n])
        try backend.rowSquaredNorms(points, into: norms)
        centroids = try backend.upload((0..<k * d).map { _ in generator.nextFloat(in: -2..<2) }, shape: [k, d])
        assignments = try backend.uploadIntegers((0..<n).map { _ in Int32(generator.nextIndex(below: k)) }, shape: [n])
        distances = try backend.zeros([n])
        sums = try backend.zeros([k, d])
        counts = try backend.zeros([k])
        silhouettePoints = try backend.upload(Array(values.prefix(silhouetteN * d)), shape: [silhouetteN, d])
        silhouetteNorms = try backend.zeros([silhouetteN])
        try backend.rowSquaredNorms(silhouettePoints, into: silhouetteNorms)
        var oneHot = [Float](repeating: 0, count: silhouetteN * t)
        for i in 0..<silhouetteN { oneHot[i * t + i % t] = 1 }
        memberships = try backend.upload(oneHot, shape: [silhouetteN, t])
        silhouetteSums = try backend.zeros([silhouetteN, t])
        try backend.synchronize()
    }

    func run(_ operation: String) throws {
        switch operation {
        case "nearest":
            try backend.nearestCentroids(points: points, pointNorms: norms, centroids: centroids,
                                         assignments: assignments, distances: distances)
        case "sums":
            try backend.clusterSums(points: points, assignments: assignments, into: sums, counts: counts)
        default:
            try backend.silhouetteSums(points: silhouettePoints, pointNorms: silhouetteNorms, memberships: memberships,
                                       into: silhouetteSums, blockRows: 1024)
        }
        try backend.synchronize()
    }
}

let benchmarks: @Sendable () -> Void = {
    for (name, make) in BenchmarkDevice.backends(cpuName: "CPUBackend", openCLName: { _ in "OpenCLBackend" }) {
        for operation in ["nearest", "sums", "silhouette"] {
            let configuration = Benchmark.Configuration(metrics: [.wallClock, .cpuTotal, .throughput], warmupIterations: 1,
                                                        maxDuration: .seconds(3), maxIterations: operation == "silhouette" ? 5 : 100)
            var workload: DistanceWorkload?
            Benchmark("\(operation) \(name)", configuration: configuration) { benchmark in
                for _ in benchmark.scaledIterations {
                    do { try workload!.run(operation) } catch {
                        benchmark.error("\(error)")
                        return
                    }
                }
            } setup: {
                workload = try DistanceWorkload(make())
            }
        }
    }
}
