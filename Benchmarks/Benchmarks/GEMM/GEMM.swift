import Benchmark
import GEMMContenders

// Square float32 GEMM, C = A * B, for each contender and each N in SquareGEMM.standardSizes:
//   OpenBLAS       cblas_sgemm called directly (the baseline)
//   CPUBackend     Engine.CPUBackend.gemm
//   OpenCLBackend  Engine.OpenCLBackend.gemm + synchronize(), the device's preferred variant,
//                  programs built by warmUp() in setup
//   CLBlast        CLBlastSgemm + clFinish on the same OpenCL device
// One iteration is one multiply. Setup (inputs, uploads, buffers, programs) is not measured, and
// one warm-up iteration runs before measuring (CLBlast compiles its kernels on first use).
//
// GFLOP/s: the custom metric "MFLOP/s" is 2 N^3 / seconds / 1e6 per iteration (package-benchmark
// prints it scaled: a row marked (K) reads directly in GFLOP/s). From the standard metrics,
// GFLOP/s = 2 N^3 * throughput (#/s) / 1e9 = 2 N^3 / wall-clock nanoseconds.
// Do not add the ARC metrics (retains, releases, object allocations): with Swift 6.3 on Linux they
// need swift-runtime-interposer, which Package.swift leaves out.

let megaflopsMetric = BenchmarkMetric.custom("MFLOP/s", polarity: .prefersLarger, useScalingFactor: false)

/// Fewer iterations for larger N: the whole suite should finish in a few minutes on two cores.
func configuration(n: Int) -> Benchmark.Configuration {
    let iterations = [128: 200, 256: 100, 512: 25, 1024: 8, 2048: 3][n] ?? 3
    return Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .throughput, megaflopsMetric],
        warmupIterations: 1,
        maxDuration: .seconds(n >= 1024 ? 4 : 2),
        maxIterations: iterations
    )
}

let benchmarks: @Sendable () -> Void = {
    // Read before any benchmark runs: OpenBLAS's own default, which the CPU backend may change.
    let blasThreads = OpenBLASContender.currentThreads
    // The OpenCL contenders run only where an OpenCL device exists.
    let device = try? BenchmarkDevice.pick()
    for kind in ContenderKind.allCases where device != nil || !kind.needsOpenCL {
        for n in SquareGEMM.standardSizes {
            Benchmark("GEMM \(kind.rawValue) N=\(n)", configuration: configuration(n: n)) { benchmark, workload in
                let clock = ContinuousClock()
                let problemFlops = 2 * Double(n) * Double(n) * Double(n)
                // Untimed: the OpenBLAS baseline sets its thread count (and puts it back after).
                workload.beginTiming()
                defer { workload.endTiming() }
                benchmark.startMeasurement()
                defer { benchmark.stopMeasurement() }
                for _ in benchmark.scaledIterations {
                    let start = clock.now
                    do {
                        try workload.multiply()
                    } catch {
                        benchmark.error("\(error)")
                        return
                    }
                    let seconds = (clock.now - start).seconds
                    benchmark.measurement(megaflopsMetric, Int((problemFlops / seconds / 1e6).rounded()))
                }
            } setup: {
                try kind.make(device: device, blasThreads: blasThreads).prepare(SquareGEMM(n: n))
            }
        }
    }
}
