import Engine
import Foundation
import OpenCL
import Testing

/// The backends every parity test compares: the CPU reference and OpenCL on the first device.
///
/// Made once per test process (programs compile once, from the disk cache after the first run).
/// The OpenCL device is required: CI installs PoCL, and a missing device is a failure to report,
/// not a reason to skip.
enum TestBackends {
    static func cpu() -> CPUBackend { CPUBackend() }

    static func openCLDevice() throws -> Device {
        guard let device = try Device.all().first else {
            throw TestSetupError("no OpenCL device: install pocl-opencl-icd (scripts/install-system-packages.sh)")
        }
        return device
    }

    /// An OpenCL backend with the default kernel parameters, so that no stored tuning of this
    /// machine (`signet tune`) changes what the tests compute.
    static func openCL(gemm: GEMMVariant? = nil) throws -> OpenCLBackend {
        let device = try openCLDevice()
        return try OpenCLBackend(device: device, gemm: gemm, tuning: .defaults(for: device))
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Deterministic test data.
enum TestData {
    static func values(_ count: Int, seed: UInt64, in range: Range<Float> = -1..<1) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in generator.nextFloat(in: range) }
    }

    /// Rows of probabilities (softmax of random logits), as a model's output would be.
    static func probabilities(rows: Int, columns: Int, seed: UInt64) -> [Float] {
        let logits = values(rows * columns, seed: seed, in: -4..<4)
        var out = [Float](repeating: 0, count: logits.count)
        for r in 0..<rows {
            let row = logits[r * columns..<(r + 1) * columns]
            let largest = row.max()!
            let exps = row.map { expf($0 - largest) }
            let sum = exps.reduce(0, +)
            for (c, e) in exps.enumerated() { out[r * columns + c] = e / sum }
        }
        return out
    }

    /// One-hot rows with a seeded class per row.
    static func oneHot(rows: Int, columns: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        var out = [Float](repeating: 0, count: rows * columns)
        for r in 0..<rows { out[r * columns + Int(generator.next() % UInt64(columns))] = 1 }
        return out
    }
}

/// The largest elementwise |actual - expected| / (absolute + relative * |expected|), so that
/// a result within tolerance everywhere gives a value <= 1: the engine's own
/// `Tolerance.worstError`, so that tests and `signet selftest` judge alike (infinities and NaN
/// included).
func worstError(_ actual: [Float], _ expected: [Float], absolute: Float, relative: Float) -> Float {
    Tolerance(absolute: absolute, relative: relative).worstError(actual, expected)
}

/// The odd shapes every operation is checked on: 1, primes, just past a power of two, 1000.
let oddSizes = [1, 7, 13, 127, 257, 1000]

/// (rows, columns) pairs: square odd sizes and mixed ones.
let oddMatrixShapes: [(Int, Int)] = [(1, 1), (7, 7), (13, 13), (127, 127), (257, 13), (13, 257), (1000, 7), (1, 1000), (257, 257)]

/// Where the peer-library reference values live: `SIGNET_FIXTURES`, else `../shared/fixtures`
/// beside the package root.
func fixturesDirectory() -> URL {
    if let custom = ProcessInfo.processInfo.environment["SIGNET_FIXTURES"], !custom.isEmpty {
        return URL(fileURLWithPath: custom)
    }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
}
