import Engine
import Testing

/// Runs one operation on the CPU and the OpenCL backend from the same inputs and returns both
/// sets of outputs, so a test only states the operation and the tolerance.
struct ParityHarness {
    let cpu: CPUBackend
    let openCL: OpenCLBackend

    init() throws {
        cpu = TestBackends.cpu()
        openCL = try TestBackends.openCL()
    }

    /// - Parameters:
    ///   - inputs: values and shapes uploaded to both backends.
    ///   - outputs: initial values and shapes of the outputs (seeded noise, so an operation that
    ///     forgets to write a value, or reads an output it should overwrite, is caught).
    ///   - operation: the call under test, given the backend, its inputs and its outputs.
    /// - Returns: the outputs read back from (CPU, OpenCL).
    func run(inputs: [([Float], [Int])], outputs: [([Float], [Int])],
             _ operation: (any Backend, [Tensor], [Tensor]) throws -> Void) throws -> (cpu: [[Float]], openCL: [[Float]]) {
        func on(_ backend: any Backend) throws -> [[Float]] {
            let ins = try inputs.map { try backend.upload($0.0, shape: $0.1) }
            let outs = try outputs.map { try backend.upload($0.0, shape: $0.1) }
            try operation(backend, ins, outs)
            return try outs.map { try backend.read($0) }
        }
        return (try on(cpu), try on(openCL))
    }

    /// Asserts that every output agrees within `absolute + relative * |cpu value|`.
    func expectAgreement(_ result: (cpu: [[Float]], openCL: [[Float]]), absolute: Float, relative: Float,
                         _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for (index, (c, o)) in zip(result.cpu, result.openCL).enumerated() {
            let worst = worstError(o, c, absolute: absolute, relative: relative)
            #expect(worst <= 1, "\(what), output \(index): worst error \(worst)x the tolerance", sourceLocation: sourceLocation)
        }
    }
}
