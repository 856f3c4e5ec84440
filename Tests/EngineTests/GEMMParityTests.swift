import Engine
import OpenCL
import SplitMix
import Testing

/// Every OpenCL GEMM variant against OpenBLAS (`CPUBackend`), on every OpenCL device there is
/// (PoCL's CPU device in CI; a GPU too where there is one), skipped with a message where there
/// is none.
///
/// Each variant is forced explicitly, so the GPU variant (`tiled`) is checked on a CPU device
/// too, and the CPU variant (`packed`) on a GPU, on shapes that are mostly not multiples of any
/// tile: 1, 7, 13, 127, 257, 1000 and mixes of them, in all four transpose combinations, with
/// scaling and the fused bias + ReLU epilogue.
///
/// The suite runs on the main actor: `OpenCLBackend` is not `Sendable`, and one backend per
/// variant and device is shared by every case (building one per case would rebuild its context).
@MainActor
@Suite("GEMM parity: OpenCL variants against OpenBLAS",
       .enabled(if: SharedBackends.deviceCount > 0, "no OpenCL device: install pocl-opencl-icd (scripts/install-system-packages.sh)"))
struct GEMMParityTests {
    @Test("matches OpenBLAS", arguments: GEMMVariant.allCases, GEMMCase.all)
    func matchesCPU(variant: GEMMVariant, problem: GEMMCase) throws {
        for backend in try SharedBackends.backends(variant) { try checkParity(problem, on: backend) }
    }

    /// The packed variant's scratch panels grow to the largest problem and are then reused:
    /// a small product after a large one must not read the large one's leftovers.
    @Test("scratch panels are reused across shapes", arguments: GEMMVariant.allCases)
    func reusesScratch(variant: GEMMVariant) throws {
        for backend in try SharedBackends.backends(variant) {
            for problem in [GEMMCase(300, 200, 150), GEMMCase(9, 40, 7, transposeA: true), GEMMCase(70, 33, 500, transposeB: true)] {
                try checkParity(problem, on: backend)
            }
        }
    }

    /// m == 0 or n == 0 leaves nothing to compute, whatever k and the epilogue say: the call
    /// succeeds (no zero-sized launch) and writes none of the operands.
    @Test("empty products write nothing", arguments: GEMMVariant.allCases)
    func emptyProducts(variant: GEMMVariant) throws {
        for backend in try SharedBackends.backends(variant) as [any Backend] + [CPUBackend()] {
            for (m, n, k) in [(0, 5, 3), (5, 0, 3), (0, 0, 0), (0, 5, 0)] {
                var random = SplitMix64(seed: UInt64(m * 100 + n * 10 + k))
                let bValues = random.floats(k * n), biasValues = random.floats(n)
                let a = try backend.zeros([m, k]), b = try backend.upload(bValues, shape: [k, n])
                let c = try backend.zeros([m, n]), bias = try backend.upload(biasValues, shape: [n])
                try backend.gemm(a, b, into: c, transposeA: false, transposeB: false, alpha: 1, beta: 0.5,
                                 epilogue: GEMMEpilogue(bias: bias, activation: .relu))
                #expect(try backend.read(b) == bValues, "\(backend) \(m)x\(n)x\(k): B untouched")
                #expect(try backend.read(bias) == biasValues, "\(backend) \(m)x\(n)x\(k): bias untouched")
                #expect(try backend.read(c).isEmpty)
            }
        }
    }

    /// k == 0: the product is empty, so C = epilogue(beta * C), and with beta 0 C is never read
    /// (its NaNs must not show). Values in eighths and quarters keep every result exact, so both
    /// backends must give exactly these numbers, whatever order they round in.
    @Test("k = 0 scales C by beta, then applies the epilogue", arguments: GEMMVariant.allCases)
    func emptyInnerDimension(variant: GEMMVariant) throws {
        let (m, n) = (7, 13)
        let cValues = (0..<m * n).map { Float($0 % 17 - 8) / 8 }
        let biasValues = (0..<n).map { Float($0 % 5 - 2) / 4 }
        for backend in try SharedBackends.backends(variant) as [any Backend] + [CPUBackend()] {
            for beta: Float in [0.5, -2, 1, 0] {
                for activation in [nil, ActivationFunction.relu] {
                    let c = try backend.upload(beta == 0 ? cValues.map { _ in .nan } : cValues, shape: [m, n])
                    try backend.gemm(try backend.zeros([m, 0]), try backend.zeros([0, n]), into: c, transposeA: false,
                                     transposeB: false, alpha: 3, beta: beta,
                                     epilogue: GEMMEpilogue(bias: try backend.upload(biasValues, shape: [n]), activation: activation))
                    let expected = cValues.indices.map { i -> Float in
                        let value = (beta == 0 ? 0 : beta * cValues[i]) + biasValues[i % n]
                        return activation == .relu ? max(value, 0) : value
                    }
                    #expect(try backend.read(c) == expected, "\(backend) beta \(beta) \(activation?.rawValue ?? "no activation")")
                }
            }
        }
    }

    @Test("warm-up builds every program", arguments: GEMMVariant.allCases)
    func warmUp(variant: GEMMVariant) throws {
        for backend in try SharedBackends.backends(variant) { try backend.warmUp() }
    }
}

/// One GEMM to check: dimensions, transposes, scaling and epilogue.
struct GEMMCase: Sendable, CustomTestStringConvertible {
    var m: Int, n: Int, k: Int
    var transposeA = false, transposeB = false
    var alpha: Float = 1, beta: Float = 0
    var bias = false
    var activation: ActivationFunction?

    init(_ m: Int, _ n: Int, _ k: Int, transposeA: Bool = false, transposeB: Bool = false,
         alpha: Float = 1, beta: Float = 0, bias: Bool = false, activation: ActivationFunction? = nil) {
        (self.m, self.n, self.k) = (m, n, k)
        (self.transposeA, self.transposeB, self.alpha, self.beta) = (transposeA, transposeB, alpha, beta)
        (self.bias, self.activation) = (bias, activation)
    }

    var testDescription: String {
        var text = "\(m)x\(n)x\(k) \(transposeA ? "At" : "A")\(transposeB ? "Bt" : "B")"
        if alpha != 1 || beta != 0 { text += " alpha=\(alpha) beta=\(beta)" }
        if beta == 0 { text += " (C=NaN)" }
        if bias { text += " +bias" }
        if let activation { text += " \(activation.rawValue)" }
        return text
    }

    /// The cases every variant runs. Sizes 1000 appear in a few cases only: the reference and
    /// tiled kernels run at a few GFLOP/s on PoCL, and the suite must stay fast in debug builds.
    static let all: [GEMMCase] = {
        let transposes = [(false, false), (true, false), (false, true), (true, true)]
        var cases: [GEMMCase] = []
        // Square, and mixed shapes whose dimensions straddle every tile edge.
        let shapes = [(1, 1, 1), (7, 7, 7), (13, 13, 13), (127, 127, 127), (257, 257, 257),
                      (257, 1000, 13), (1000, 1, 7), (1, 1000, 257), (13, 257, 127), (3, 5, 4000)]
        for (m, n, k) in shapes {
            for (ta, tb) in transposes { cases.append(GEMMCase(m, n, k, transposeA: ta, transposeB: tb)) }
        }
        cases.append(GEMMCase(1000, 1000, 1000))
        cases.append(GEMMCase(1000, 1000, 1000, transposeA: true, transposeB: true))
        // Scaling and the epilogue, on shapes with partial tiles in both directions.
        for (ta, tb) in transposes {
            cases.append(GEMMCase(127, 257, 13, transposeA: ta, transposeB: tb, alpha: 0.5, beta: -1.5))
            cases.append(GEMMCase(257, 127, 33, transposeA: ta, transposeB: tb, alpha: -2, beta: 0, bias: true, activation: .relu))
        }
        cases.append(GEMMCase(33, 70, 129, alpha: 1, beta: 0.25, bias: true, activation: .relu))
        cases.append(GEMMCase(33, 70, 129, alpha: 1.5, beta: 1, bias: true))
        // tanh and sigmoid are not fused into the kernels: the backend runs them after the product.
        cases.append(GEMMCase(33, 70, 129, alpha: 1, beta: 0.25, bias: true, activation: .tanh))
        cases.append(GEMMCase(33, 70, 129, alpha: 1, beta: 0, activation: .sigmoid))
        cases.append(GEMMCase(33, 70, 129, alpha: 1, beta: 0, activation: .relu))
        // Tall products, as a convolution's im2col GEMMs (forward with bias + ReLU, and the
        // patches' gradient): M = 70000 is 1094 tiles of 64 rows, far more row tiles than column
        // tiles, which the tiled kernel puts on NDRange dimension 0 (GPUs cap dimension 1 at
        // 65535 groups; PoCL has no such cap, so this checks the mapping, not the limit).
        cases.append(GEMMCase(70000, 32, 9, bias: true, activation: .relu))
        cases.append(GEMMCase(70000, 9, 32, transposeB: true))
        // k == 0: C = epilogue(beta * C), never reading the (empty) operands or, when beta is 0, C.
        cases.append(GEMMCase(7, 13, 0, alpha: 2, beta: 0.5, bias: true, activation: .relu))
        cases.append(GEMMCase(40, 50, 0, alpha: 2, beta: 0, bias: true))
        cases.append(GEMMCase(40, 50, 0, alpha: 1, beta: -1))
        return cases
    }()
}

/// One OpenCL backend per variant and OpenCL device, built on first use.
@MainActor
enum SharedBackends {
    private static var backends: [GEMMVariant: [OpenCLBackend]] = [:]

    /// How many OpenCL devices there are (0 where listing them fails).
    nonisolated static var deviceCount: Int { (try? Device.all().count) ?? 0 }

    /// The variant on every device, in `signet devices` order.
    static func backends(_ variant: GEMMVariant) throws -> [OpenCLBackend] {
        if let made = backends[variant] { return made }
        let made = try Device.all().map { try OpenCLBackend(device: $0, gemm: variant, tuning: .defaults(for: $0)) }
        backends[variant] = made
        return made
    }
}

/// Runs `problem` on `backend` and on `CPUBackend` from the same seeded inputs and compares.
///
/// Tolerance: |opencl - cpu| <= 1e-5 * s + 1e-6 per value of C, where
/// s = |alpha| * sum_k |a_ik b_kj| + |beta * c_ij| + |bias_j| is the size of what was summed.
/// Two fp32 sums of the same K products in different orders differ by about
/// sqrt(K) * 6e-8 * s (and at worst K * 6e-8 * s); 1e-5 * s leaves a wide margin for K <= 4000
/// while still catching any wrong or missing term, which is of the order of s / K or larger.
@MainActor
func checkParity(_ problem: GEMMCase, on backend: OpenCLBackend) throws {
    var random = SplitMix64(seed: UInt64(problem.m * 1_000_003 + problem.n * 1009 + problem.k))
    let aShape = problem.transposeA ? [problem.k, problem.m] : [problem.m, problem.k]
    let bShape = problem.transposeB ? [problem.n, problem.k] : [problem.k, problem.n]
    let a = random.floats(aShape[0] * aShape[1])
    let b = random.floats(bShape[0] * bShape[1])
    let bias = random.floats(problem.n)
    // beta == 0 must never read C: start it as NaN, which would poison any value that did.
    let c = problem.beta == 0 ? [Float](repeating: .nan, count: problem.m * problem.n) : random.floats(problem.m * problem.n)

    func run(on backend: some Backend, a: [Float], b: [Float], c: [Float], bias: [Float]?,
             alpha: Float, beta: Float, activation: ActivationFunction?) throws -> [Float] {
        let output = try backend.upload(c, shape: [problem.m, problem.n])
        let epilogue = GEMMEpilogue(bias: try bias.map { try backend.upload($0, shape: [problem.n]) },
                                    activation: activation)
        try backend.gemm(try backend.upload(a, shape: aShape), try backend.upload(b, shape: bShape), into: output,
                         transposeA: problem.transposeA, transposeB: problem.transposeB,
                         alpha: alpha, beta: beta, epilogue: epilogue)
        return try backend.read(output)
    }
    let biasIfAny = problem.bias ? bias : nil
    let got = try run(on: backend, a: a, b: b, c: c, bias: biasIfAny,
                      alpha: problem.alpha, beta: problem.beta, activation: problem.activation)
    let cpu = CPUBackend()
    let expected = try run(on: cpu, a: a, b: b, c: c, bias: biasIfAny,
                           alpha: problem.alpha, beta: problem.beta, activation: problem.activation)
    let scale = try run(on: cpu, a: a.map(abs), b: b.map(abs), c: problem.beta == 0 ? c.map { _ in 0 } : c.map(abs),
                        bias: problem.bias ? bias.map(abs) : nil, alpha: abs(problem.alpha), beta: abs(problem.beta),
                        activation: nil)

    var failures = 0
    var first = ""
    for i in 0..<expected.count {
        let tolerance = 1e-5 * scale[i] + 1e-6
        // Written so that NaN fails.
        if !(abs(got[i] - expected[i]) <= tolerance) {
            if failures == 0 {
                first = "C[\(i / problem.n), \(i % problem.n)] = \(got[i]), expected \(expected[i]) (tolerance \(tolerance))"
            }
            failures += 1
        }
    }
    #expect(failures == 0, "\(backend.gemmVariant) \(problem.testDescription): \(failures) of \(expected.count) values differ; first \(first)")
}

extension SplitMix64 {
    /// `count` values uniform in [-1, 1), from the top 24 bits (exact in a Float).
    mutating func floats(_ count: Int) -> [Float] {
        (0..<count).map { _ in Float(next() >> 40) * 0x1p-23 - 1 }
    }
}
