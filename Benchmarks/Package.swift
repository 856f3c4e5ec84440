// swift-tools-version: 6.1
//
// Signet's benchmarks: their own package, so that `swift build` and `swift test` at the root
// never build benchmark code or need its libraries (package-benchmark, CLBlast).
//
// GEMM, square float32, four contenders on one machine:
//   OpenBLAS called directly (the baseline), Engine's CPUBackend, Engine's OpenCLBackend with the
//   device's preferred kernel, and CLBlast on the same OpenCL device.
// `swift package benchmark` runs them under package-benchmark; `swift run -c release gemm-ratios`
// runs them side by side in one process and prints GFLOP/s and the ratios we quote.

import PackageDescription

let package = Package(
    name: "SignetBenchmarks",
    dependencies: [
        .package(name: "Signet", path: ".."),
        // package-benchmark (renamed ordo-one/benchmark) declares two default traits. Naming only
        // MallocInterposer turns RuntimeInterposer off, and with it the dependency on
        // swift-runtime-interposer that it adds on Linux with Swift 6.3: SwiftPM then never fetches
        // that package (not mirrored here). That interposer serves only the ARC metrics
        // (retains, releases, object allocations), which these suites do not ask for.
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1",
                 traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CCLBlast", path: "Sources/CCLBlast", pkgConfig: "clblast",
                       providers: [.apt(["libclblast-dev", "ocl-icd-opencl-dev", "opencl-headers"])]),
        // The contenders, the inputs and the arithmetic, shared by both front ends.
        .target(
            name: "GEMMContenders",
            dependencies: [
                .product(name: "Signet", package: "Signet"),
                "COpenBLAS",
                "CCLBlast",
            ]
        ),
        // One process, every contender, median of a few runs: the ratios we quote.
        .executableTarget(
            name: "gemm-ratios",
            dependencies: [
                "GEMMContenders",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Training epochs on full MNIST per backend, interleaved with PyTorch's and Keras's.
        .executableTarget(
            name: "epoch-times",
            dependencies: [
                .product(name: "Signet", package: "Signet"),
                "GEMMContenders",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // K-means and exact silhouettes on the study's signature matrices, against scikit-learn.
        .executableTarget(
            name: "cluster-ratios",
            dependencies: [
                "GEMMContenders",
                .product(name: "Signet", package: "Signet"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // UMAP on the study's signatures, against umap-learn.
        .executableTarget(
            name: "umap-ratios",
            dependencies: [
                "GEMMContenders",
                .product(name: "Signet", package: "Signet"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The distance operations one at a time, per backend.
        .executableTarget(
            name: "distance-timings",
            dependencies: [
                "GEMMContenders",
                .product(name: "Signet", package: "Signet"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // package-benchmark suites: Benchmarks/<Name>/<Name>.swift.
        .executableTarget(
            name: "GEMM",
            dependencies: [
                "GEMMContenders",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/GEMM",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Distances",
            dependencies: [
                "GEMMContenders",
                .product(name: "Signet", package: "Signet"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Distances",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Workloads",
            dependencies: [
                "GEMMContenders",
                .product(name: "Signet", package: "Signet"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Workloads",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
