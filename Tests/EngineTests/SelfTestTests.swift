import Engine
import Testing

/// The self-test, as a library user runs it: every check passes against itself on the CPU and
/// on the OpenCL device of the test machine (PoCL in CI).
@Suite("Self-test", .serialized)
struct SelfTestTests {
    @Test func passesOnTheCPUAgainstItself() throws {
        let results = try SelfTest(backend: CPUBackend()).run()
        #expect(results.count > 60)
        #expect(results.allSatisfy { $0.worstError == 0 }, "\(results.filter { $0.worstError != 0 })")
        #expect(Set(results.map(\.operation)).count == results.count, "each check has its own name (and seed)")
    }

    @Test func passesOnOpenCL() throws {
        let results = try SelfTest(backend: TestBackends.openCL()).run()
        #expect(results.allSatisfy { $0.passed }, "\(results.filter { !$0.passed })")
    }
}
