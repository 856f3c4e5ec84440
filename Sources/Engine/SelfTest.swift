/// The checks behind `signet selftest`, for any Swift user who wants to trust a new driver or
/// device before training on it: each operation of `Backend` on `backend` and on `reference`,
/// from the same seeded inputs, compared value by value within a `Tolerance`.
///
/// Shapes are odd on purpose (primes, one past a power of two, windows that do not tile the
/// image), because that is where a kernel's bounds checks and remainders go wrong.
///
/// ```swift
/// let results = try SelfTest(backend: OpenCLBackend(device: device)).run()
/// let failures = results.filter { !$0.passed }
/// ```
public struct SelfTest {
    /// One check: an operation on one shape, and how far it strayed.
    public struct Result: Codable, Sendable, Equatable {
        /// What was run, e.g. `gemm 7x13x5 NT bias+relu`.
        public var operation: String
        /// The worst |difference| divided by its tolerance (`Tolerance.worstError`): at most 1 passes.
        public var worstError: Float
        /// Whether every value was within tolerance.
        public var passed: Bool { worstError <= 1 }

        public init(operation: String, worstError: Float) {
            self.operation = operation
            self.worstError = worstError
        }
    }

    /// The backend under test.
    public let backend: any Backend
    /// The backend it is compared with: the CPU backend, unless told otherwise.
    public let reference: any Backend

    public init(backend: any Backend, reference: any Backend = CPUBackend()) {
        self.backend = backend
        self.reference = reference
    }

    /// Runs every check, in a fixed order (memory, GEMM, reductions, elementwise, convolution,
    /// pooling, losses, optimizers, distances).
    ///
    /// - Throws: whatever an operation throws on either backend (a check that cannot run is an
    ///   error, not a failed check).
    public func run() throws -> [Result] {
        var results = try memoryChecks() + gemmChecks() + reductionChecks() + elementwiseChecks()
        results += try convolutionChecks() + poolingChecks() + lossChecks() + optimizerChecks()
        results += try distanceChecks()
        return results
    }

    // MARK: Running one check

    /// Runs `operation` on both backends from the same seeded inputs and initial output, and
    /// compares the output.
    func check(_ name: String, _ tolerance: Tolerance, inputs: [[Int]], output: [Int],
               _ operation: (any Backend, [Tensor], Tensor) throws -> Void) throws -> Result {
        try check(name, tolerance, tensors: inputs + [output]) { b, x in
            let out = x[x.count - 1]
            try operation(b, Array(x.dropLast()), out)
            return [out]
        }
    }

    /// Runs `operation` on both backends from the same seeded tensors (uniform in [-1, 1), seeded
    /// by the name) and compares the tensors it returns, value by value in order: the form for
    /// operations with several outputs.
    func check(_ name: String, _ tolerance: Tolerance, tensors shapes: [[Int]],
               comparing operation: (any Backend, [Tensor]) throws -> [Tensor]) throws -> Result {
        var generator = SeededGenerator(seed: UInt64(name.utf8.reduce(0) { $0 &* 31 &+ Int($1) }.magnitude))
        let values = shapes.map { shape in (0..<shape.reduce(1, *)).map { _ in generator.nextFloat(in: -1..<1) } }
        func outcome(_ b: any Backend) throws -> [Float] {
            let tensors = try zip(values, shapes).map { try b.upload($0, shape: $1) }
            return try operation(b, tensors).flatMap { try b.read($0) }
        }
        let expected = try outcome(reference), actual = try outcome(backend)
        return Result(operation: name, worstError: tolerance.worstError(actual, expected))
    }
}
