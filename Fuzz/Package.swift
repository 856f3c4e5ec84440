// swift-tools-version: 6.1
//
// Signet's fuzz target: its own package, so that `swift build` and `swift test` at the root never
// link libFuzzer. One executable serves every parser; SIGNET_FUZZ_TARGET picks which (the names
// are FuzzEntryPoints.targets, and the folders of Corpus/ and Regressions/).
//
// Built by Fuzz/fuzz.sh with
//   swift build -c release --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
// (the -Xswiftc form: SwiftPM's two --sanitize flags alone leave the code without coverage).

import PackageDescription

let package = Package(
    name: "SignetFuzz",
    dependencies: [
        .package(name: "Signet", path: ".."),
    ],
    targets: [
        .executableTarget(name: "SignetFuzz", dependencies: [.product(name: "SignetFuzzEntryPoints", package: "Signet")]),
    ],
    swiftLanguageModes: [.v6]
)
