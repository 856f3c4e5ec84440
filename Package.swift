// swift-tools-version: 6.1
//
// Signet: an OpenCL/CPU neural-network engine and the MNIST activation-signature study.
// The arrows run one way:
//   signet (CLI) -> Learning -> Engine -> OpenCL -> COpenCL;  Engine -> Kernels, CBLAS
//   signet (CLI) -> Datasets -> CZlib
// Benchmarks live in their own package (Benchmarks/) so that `swift build` and `swift test`
// here never build benchmark code or need its libraries.

import PackageDescription

let package = Package(
    name: "Signet",
    products: [
        .library(name: "Signet", targets: ["OpenCL", "Engine", "Learning", "Datasets"]),
        .executable(name: "signet", targets: ["signet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
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
            ]
        ),
        .target(name: "OpenCL", dependencies: ["COpenCL"]),
        .target(name: "Engine", dependencies: ["OpenCL", "Kernels", "CBLAS"]),
        .target(name: "Learning", dependencies: ["Engine"]),
        .target(name: "Datasets", dependencies: ["CZlib"]),
        .executableTarget(
            name: "signet",
            dependencies: ["Engine", "Learning", "Datasets",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "OpenCLTests", dependencies: ["OpenCL"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "OpenCL"]),
        .testTarget(name: "LearningTests", dependencies: ["Learning", "Engine"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"]),
        .testTarget(name: "SignetCLITests", dependencies: ["signet"]),
    ],
    swiftLanguageModes: [.v6]
)
