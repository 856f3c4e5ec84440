// swift-tools-version: 6.1
//
// Signet: an OpenCL/CPU neural-network engine and the MNIST activation-signature study.
// The arrows run one way:
//   signet (CLI) -> Report -> Bench -> Signatures -> Learning -> Engine -> OpenCL -> COpenCL;  Engine -> Kernels, CBLAS
//   Engine -> AVX512Loops -> VectorLanes;  Engine -> VectorLanes, CPUFeatures, CacheHints
//   Signatures -> Datasets -> CZlib
//   Engine, Datasets, Signatures -> SplitMix (the one seeded mixer they need; see SplitMix64.swift)
//   Learning, Signatures, signet -> SignetBuild (which build is running; the CommitStamp plugin)
//   signet -> CommandLineFiles (the --config file's translation to flags)
//   FuzzEntryPoints -> Report, Signatures, Learning, Datasets, OpenCL, CommandLineFiles (the parsers Fuzz/ feeds)
// Benchmarks live in their own package (Benchmarks/) so that `swift build` and `swift test`
// here never build benchmark code or need its libraries.

import PackageDescription

import class Foundation.ProcessInfo

// Release builds compile the Engine's loops for AVX2 + FMA on x86-64 (Swift's default target is
// SSE2, which splits every 16-wide vector operation in four and has no fused multiply-add): the
// cnn epoch went from 3.1 s to 2.8 s and the dense network's batch-32 epoch from 0.40 s to 0.23 s
// on this 2-core EPYC. `signet` checks the processor at start and says so instead of dying on an
// illegal instruction. SIGNET_PORTABLE=1 builds for any x86-64.
//
// As another package's dependency Signet builds portable: SwiftPM refuses a dependency whose
// targets carry unsafe flags, whatever their condition (a trait or a configuration does not
// count), and the target CPU can only be set by one. SwiftPM checks a dependency out into a
// `checkouts` folder (`.build/checkouts/`, Xcode's `SourcePackages/checkouts/`), so a manifest
// evaluated from there is a dependency's. A package that wants the AVX2 build can pass the flag
// for the whole build: `swift build -c release -Xswiftc -target-cpu -Xswiftc haswell`.
let isDependency = Context.packageDirectory.split(separator: "/").contains("checkouts")
#if arch(x86_64)
let tuneForAVX2 = !isDependency && ProcessInfo.processInfo.environment["SIGNET_PORTABLE"] == nil
#else
let tuneForAVX2 = false
#endif
/// The command line checks the processor when the Engine it links was built for AVX2.
let checksProcessor: [SwiftSetting] = tuneForAVX2 ? [.define("SIGNET_AVX2", .when(configuration: .release))] : []
let engineSettings: [SwiftSetting] = tuneForAVX2
    ? [.unsafeFlags(["-target-cpu", "haswell"], .when(configuration: .release))] + checksProcessor
    : []
// The few loops that pay for 512-bit vectors (the k-nearest-neighbour scan: 2x here) are built
// a second time for AVX-512, in a module of their own that the Engine calls only after checking
// the processor (HostProcessor.canRunAVX512Loops).
let avx512Settings: [SwiftSetting] = tuneForAVX2
    ? [.unsafeFlags(["-target-cpu", "skylake-avx512"], .when(configuration: .release))]
    : []

let package = Package(
    name: "Signet",
    products: [
        .library(name: "Signet", targets: ["SplitMix", "SignetBuild", "OpenCL", "Engine", "Learning", "Datasets", "Signatures", "Bench", "Report"]),
        .executable(name: "signet", targets: ["signet"]),
        // For Fuzz/, whose targets feed libFuzzer's inputs to these entries.
        .library(name: "SignetFuzzEntryPoints", targets: ["FuzzEntryPoints"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(name: "COpenCL", path: "Sources/COpenCL", pkgConfig: "OpenCL",
                       providers: [.apt(["ocl-icd-opencl-dev", "opencl-headers"])]),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "Kernels",
            path: "Kernels",
            exclude: ["README.md"],
            resources: [
                .embedInCode("gemm.cl"),
                .embedInCode("elementwise.cl"),
                .embedInCode("loss.cl"),
                .embedInCode("optimizer.cl"),
                .embedInCode("conv.cl"),
                .embedInCode("pool.cl"),
                .embedInCode("conv_pool.cl"),
                .embedInCode("distance.cl"),
                .embedInCode("neighbors.cl"),
            ]
        ),
        .target(name: "SplitMix"),
        .target(name: "OpenCL", dependencies: ["COpenCL"]),
        .target(name: "Engine", dependencies: ["OpenCL", "Kernels", "CBLAS", "SplitMix", "CPUFeatures", "CacheHints", "VectorLanes", "AVX512Loops"],
                swiftSettings: engineSettings),
        .target(name: "CPUFeatures"),
        // Prefetch hints for the Engine's loops that read rows out of order.
        .target(name: "CacheHints"),
        // Which build is running (version, commit, compiler, engine target); the commit comes
        // from the CommitStamp plugin.
        .target(name: "SignetBuild", swiftSettings: checksProcessor, plugins: ["CommitStamp"]),
        .plugin(name: "CommitStamp", capability: .buildTool()),
        // Row minima and neighbour lists, inlined into both builds of the host loops.
        .target(name: "VectorLanes", swiftSettings: engineSettings),
        .target(name: "AVX512Loops", dependencies: ["VectorLanes"], swiftSettings: avx512Settings),
        .target(name: "Learning", dependencies: ["Engine", "SignetBuild"]),
        .target(name: "Datasets", dependencies: ["CZlib", "SplitMix"]),
        // UMAP's layout and trustworthiness loops want FMA as much as the engine's.
        .target(name: "Signatures", dependencies: ["Engine", "Learning", "Datasets", "SplitMix", "SignetBuild"], swiftSettings: engineSettings),
        // The browsable report: pages from templates, our own script and style, compiled in.
        // `signet bench`: the timed workloads on every backend, and their Codable result.
        .target(name: "Bench", dependencies: ["Engine", "Learning", "Datasets", "Signatures"]),
        .target(
            name: "Report",
            dependencies: ["Bench", "Signatures", "Engine", "Datasets", "Learning", "CZlib", .product(name: "Mustache", package: "swift-mustache")],
            resources: [
                .embedInCode("Assets/report.js"),
                .embedInCode("Assets/report.css"),
                .embedInCode("Assets/experiment.mustache"),
                .embedInCode("Assets/index.mustache"),
            ]
        ),
        // One entry per parser of outside input, for Fuzz/ and FuzzRegressionTests.
        .target(name: "FuzzEntryPoints", dependencies: ["CommandLineFiles", "Datasets", "Learning", "OpenCL", "Report", "Signatures"]),
        // The files the command line reads in place of flags (a study's --config).
        .target(name: "CommandLineFiles"),
        .executableTarget(
            name: "signet",
            dependencies: ["Engine", "OpenCL", "Learning", "Datasets", "Signatures", "Bench", "Report", "CPUFeatures", "SignetBuild",
                           "CommandLineFiles",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: checksProcessor
        ),
        // The tests' one way to the real data files (Tests/SharedTestData), shared by the test targets.
        .target(name: "SharedTestData", dependencies: ["Datasets"], path: "Tests/SharedTestData"),
        .testTarget(name: "SplitMixTests", dependencies: ["SplitMix"]),
        .testTarget(name: "OpenCLTests", dependencies: ["OpenCL"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "OpenCL", "SplitMix"]),
        .testTarget(name: "LearningTests", dependencies: ["Learning", "Engine", "SignetBuild"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "SharedTestData"]),
        // Fixtures/ holds reference values made by Benchmarks/peers/umap_reference.py (read by path).
        .testTarget(name: "SignaturesTests", dependencies: ["Signatures", "Engine", "SplitMix", "SharedTestData"], exclude: ["Fixtures"]),
        .testTarget(name: "BenchTests", dependencies: ["Bench", "Engine"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Bench", "Signatures", "Datasets", "SharedTestData"]),
        // Replays Fuzz/Corpus and Fuzz/Regressions (read by path) through FuzzEntryPoints.
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzEntryPoints"]),
        .testTarget(name: "SignetCLITests", dependencies: ["signet", "SharedTestData", "SignetBuild", "Learning"]),
    ],
    swiftLanguageModes: [.v6]
)
