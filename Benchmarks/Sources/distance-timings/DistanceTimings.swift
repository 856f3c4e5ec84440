import ArgumentParser
import Engine
import Foundation
import GEMMContenders
import OpenCL

/// The distance operations one at a time, per backend, on synthetic points: the engine's side
/// of K-means (nearest centroid, cluster sums), of the silhouette (the tiled pairwise pass) and
/// of UMAP (every point's k nearest neighbours).
@main
struct DistanceTimings: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distance-timings",
        abstract: "Times nearestCentroids, clusterSums, silhouetteSums and kNearest per backend (median of --repeats).")

    @Option(help: "Points.") var n = 70_000
    @Option(help: "Coordinates per point.") var d = 64
    @Option(help: "Centroids.") var k = 10
    @Option(help: "Points of the silhouette pass (it is O(n^2)).") var silhouetteN = 20_000
    @Option(help: "Membership columns of the silhouette pass (54: k = 2 ... 10).") var t = 54
    @Option(help: "Rows per tile of the silhouette pass.") var blockRows = 1024
    @Option(help: "Neighbours per point of the kNearest pass (UMAP's graph: every point against every point).")
    var neighborsK = 14
    @Option(help: "Timed repetitions of the kNearest pass (O(n^2 d): 70,000 x 64 takes seconds).") var neighborRepeats = 1
    @Option(help: "The OpenCL kNearest kernel: packed (CPU devices) or local (GPUs); by device type if not given.")
    var neighborKernel: NeighborKernel?
    @Option(help: "Timed repetitions.") var repeats = 5
    @Option(name: .long, parsing: .upToNextOption, help: "Backends: cpu, opencl.") var backends: [BackendKind] = [.cpu, .opencl]
    @Option(name: .long, parsing: .upToNextOption, help: "Operations: nearest, bounded, sums, silhouette, neighbors.")
    var operations: [Operation] = Operation.allCases

    enum Operation: String, CaseIterable, ExpressibleByArgument { case nearest, bounded, sums, silhouette, neighbors }

    func run() throws {
        var generator = SeededGenerator(seed: 1)
        let points = (0..<n * d).map { _ in generator.nextFloat(in: -2..<2) }
        let centroids = (0..<k * d).map { _ in generator.nextFloat(in: -2..<2) }
        let labels = (0..<n).map { _ in Int32(generator.nextIndex(below: k)) }
        print("| operation | shape | backend | median ms | GFLOP/s |")
        print("| --- | --- | --- | ---: | ---: |")
        for kind in backends {
            let backend: any Backend = try kind == .cpu ? CPUBackend() : OpenCLBackend(device: BenchmarkDevice.pick().device)
            if let openCL = backend as? OpenCLBackend, let neighborKernel { openCL.neighborKernel = neighborKernel }
            let p = try backend.upload(points, shape: [n, d]), norms = try backend.zeros([n])
            try backend.rowSquaredNorms(p, into: norms)
            let c = try backend.upload(centroids, shape: [k, d])
            let assignments = try backend.uploadIntegers(labels, shape: [n]), distances = try backend.zeros([n])
            let sums = try backend.zeros([k, d]), counts = try backend.zeros([k])
            for operation in operations {
                let (shape, flops, seconds): (String, Double, Double)
                switch operation {
                case .nearest:
                    shape = "\(n)x\(d), k \(k)"
                    flops = 2 * Double(n * d * k)
                    seconds = try median(backend) {
                        try backend.nearestCentroids(points: p, pointNorms: norms, centroids: c, assignments: assignments, distances: distances)
                    }
                case .bounded:
                    // A settled Lloyd iteration: bounds from a first pass, centroids nudged.
                    shape = "\(n)x\(d), k \(k), shifts 1e-3"
                    flops = 2 * Double(n * d * k)
                    let upper = try backend.zeros([n]), lower = try backend.zeros([n])
                    try backend.fill(upper, with: .infinity)
                    let zero = [Float](repeating: 0, count: k)
                    try backend.boundedNearestCentroids(points: p, pointNorms: norms, centroids: c, shifts: zero, halfSeparations: zero,
                                                        assignments: assignments, upper: upper, lower: lower)
                    let half = [Float](repeating: 0, count: k), shifts = [Float](repeating: 1e-3, count: k)
                    seconds = try median(backend) {
                        try backend.boundedNearestCentroids(points: p, pointNorms: norms, centroids: c, shifts: shifts,
                                                            halfSeparations: half, assignments: assignments, upper: upper, lower: lower)
                    }
                case .sums:
                    shape = "\(n)x\(d), k \(k)"
                    flops = Double(n * d)
                    seconds = try median(backend) { try backend.clusterSums(points: p, assignments: assignments, into: sums, counts: counts) }
                case .silhouette:
                    let m = silhouetteN
                    let sp = try backend.upload(Array(points.prefix(m * d)), shape: [m, d]), sn = try backend.zeros([m])
                    try backend.rowSquaredNorms(sp, into: sn)
                    var memberships = [Float](repeating: 0, count: m * t)
                    for i in 0..<m { memberships[i * t + i % t] = 1 }
                    let h = try backend.upload(memberships, shape: [m, t]), out = try backend.zeros([m, t])
                    shape = "\(m)x\(d), T \(t), tiles \(blockRows)"
                    // The Gram half (symmetric) plus both membership products per pair of points.
                    flops = Double(m) * Double(m) * Double(d) + 2 * Double(m) * Double(m) * Double(t)
                    seconds = try median(backend, repeats: max(1, repeats / 2)) {
                        try backend.silhouetteSums(points: sp, pointNorms: sn, memberships: h, into: out, blockRows: blockRows)
                    }
                case .neighbors:
                    // UMAP's graph: the queries are every point, each left out of its own list.
                    let k = neighborsK
                    let indices = try backend.zeros([n, k], elementType: .int32), nearest = try backend.zeros([n, k])
                    let kernel = (backend as? OpenCLBackend).map { ", kernel \($0.neighborKernel)" } ?? ""
                    shape = "\(n)x\(d), k \(k), queries all, self left out" + kernel
                    flops = 2 * Double(n) * Double(n) * Double(d)
                    // The warm-up (program builds, scratch) on one block of queries, not the whole pass.
                    let block = min(n, 256)
                    let warmQueries = try backend.upload(Array(points.prefix(block * d)), shape: [block, d])
                    let warmNorms = try backend.zeros([block])
                    try backend.rowSquaredNorms(warmQueries, into: warmNorms)
                    let warmIndices = try backend.zeros([block, k], elementType: .int32), warmDistances = try backend.zeros([block, k])
                    try backend.kNearest(queries: warmQueries, queryNorms: warmNorms, points: p, pointNorms: norms, k: k, selfOffset: 0,
                                         indices: warmIndices, distances: warmDistances)
                    seconds = try median(backend, repeats: neighborRepeats, warmUp: false) {
                        try backend.kNearest(queries: p, queryNorms: norms, points: p, pointNorms: norms, k: k, selfOffset: 0,
                                             indices: indices, distances: nearest)
                    }
                }
                print("| \(operation.rawValue) | \(shape) | \(kind.rawValue) | \(String(format: "%.2f", seconds * 1000)) | "
                    + String(format: "%.1f", flops / seconds / 1e9) + " |")
            }
        }
    }

    private func median(_ backend: any Backend, repeats: Int? = nil, warmUp: Bool = true, _ body: () throws -> Void) throws -> Double {
        if warmUp { try body() }  // program builds, scratch allocation
        try backend.synchronize()
        var times: [Double] = []
        for _ in 0..<(repeats ?? self.repeats) {
            let start = Date()
            try body()
            try backend.synchronize()
            times.append(Date().timeIntervalSince(start))
        }
        return times.sorted()[times.count / 2]
    }
}

extension BackendKind: @retroactive ExpressibleByArgument {}
extension NeighborKernel: @retroactive ExpressibleByArgument {}
