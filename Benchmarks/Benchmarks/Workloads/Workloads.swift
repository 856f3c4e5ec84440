import Bench
import Benchmark
import Datasets
import Engine
import Foundation
import GEMMContenders

// `signet bench`'s workloads under package-benchmark, for regression tracking against stored
// baselines: the very cases `signet bench` times (`BenchCatalogue`, Sources/Bench), one benchmark
// per case and backend, named `<workload>: <case> <backend>`, on the CPU backend and the OpenCL
// device `--device opencl` would pick (SIGNET_BENCH_DEVICE=N for another).
//
// gemm and conv always; the workloads that read MNIST (mlp, cnn, kmeans, silhouette, umap,
// study) only with SIGNET_DATA set. One iteration is one run of the case (a multiply, an epoch,
// a K-means sweep, a map, a whole study), after one untimed warm-up run where the case has one.
// Each benchmark runs for at most 10 s of iterations, and at least one: a run that alone takes
// longer (the silhouettes, UMAP of 70,000 points, the study) gives one sample per benchmark.
// The peers are not here: `signet bench --peers` times them beside these cases.

let benchmarks: @Sendable () -> Void = {
    let environment = ProcessInfo.processInfo.environment
    let store = environment["SIGNET_DATA"].flatMap { $0.isEmpty ? nil : DatasetStore(downloader: nil) }
    let catalogue = BenchCatalogue(store: store, gemmSizes: [256, 1024, 2048])
    let backends = BenchmarkDevice.backends()
    for workload in BenchWorkload.allCases where store != nil || !workload.needsData {
        guard let cases = try? catalogue.cases(for: workload) else { continue }
        for benchCase in cases {
            for (backendName, makeBackend) in backends {
                let configuration = Benchmark.Configuration(metrics: [.wallClock, .cpuTotal, .throughput],
                                                            warmupIterations: benchCase.warmUp ? 1 : 0,
                                                            maxDuration: .seconds(10), maxIterations: 1_000)
                var run: (() throws -> Void)?
                Benchmark("\(workload.rawValue): \(benchCase.name) \(backendName)", configuration: configuration) { benchmark in
                    for _ in benchmark.scaledIterations {
                        do { try run!() } catch {
                            benchmark.error("\(error)")
                            return
                        }
                    }
                } setup: {
                    run = try benchCase.prepare(makeBackend())
                }
            }
        }
    }
}
