import Engine
import OpenCL
import Testing

/// The rules every backend keeps: tensors belong to one backend, shapes are checked before any
/// work, device requests parse or fail with a message.
@Suite("Engine contract")
struct EngineContractTests {
    @Test(arguments: [("auto", DeviceRequest.auto), ("cpu", .cpu), ("opencl", .opencl(index: nil)),
                      ("opencl:0", .opencl(index: 0)), ("OpenCL:3", .opencl(index: 3)), (" gpu ", .opencl(index: nil))])
    func deviceRequestsParse(text: String, expected: DeviceRequest) throws {
        #expect(try DeviceRequest(parsing: text) == expected)
    }

    @Test(arguments: ["", "tpu", "opencl:", "opencl:-1", "opencl:x", "cuda:0"])
    func badDeviceRequestsAreRefused(text: String) {
        #expect(throws: EngineError.self) { try DeviceRequest(parsing: text) }
    }

    @Test func autoPicksTheCPUBackendWithoutAGPU() throws {
        let devices = try Device.all().filter { $0.kind != .gpu }
        let choice = try DeviceRequest.auto.makeBackend(devices: devices)
        #expect(choice.backend.kind == .cpu)
        #expect(choice.reason.contains("no OpenCL GPU") || choice.reason.contains("no OpenCL device"))
    }

    @Test func openCLRequestsNameMissingDevices() throws {
        #expect(throws: EngineError.self) { try DeviceRequest.opencl(index: nil).makeBackend(devices: []) }
        let count = try Device.all().count
        do {
            _ = try DeviceRequest.opencl(index: count).makeBackend()
            Issue.record("device \(count) of \(count) was accepted")
        } catch let error as EngineError {
            #expect(error.description.contains("no OpenCL device \(count)"))
        }
        #expect(try DeviceRequest.opencl(index: 0).makeBackend().backend.kind == .opencl)
    }

    @Test func tensorsStayWithTheirBackend() throws {
        let cpu = CPUBackend(), other = CPUBackend(), openCL = try TestBackends.openCL()
        let a = try cpu.upload([1, 2], shape: [2])
        #expect(throws: EngineError.foreignTensor(operation: "read")) { try other.read(a) }
        #expect(throws: EngineError.foreignTensor(operation: "read")) { try openCL.read(a) }
        let b = try openCL.upload([1, 2], shape: [2])
        #expect(throws: EngineError.foreignTensor(operation: "relu")) { try cpu.relu(b, into: a) }
    }

    @Test func shapesAreCheckedBeforeWork() throws {
        for backend in [CPUBackend(), try TestBackends.openCL()] as [any Backend] {
            let a = try backend.zeros([2, 3]), b = try backend.zeros([4, 5]), c = try backend.zeros([2, 5])
            #expect(throws: EngineError.self) {
                try backend.gemm(a, b, into: c, transposeA: false, transposeB: false, alpha: 1, beta: 0, epilogue: .none)
            }
            let bias = try backend.zeros([4])
            #expect(throws: EngineError.self) { try backend.addBias(bias, to: a) }
            #expect(throws: EngineError.self) { try backend.write([1, 2], to: a) }
            #expect(throws: EngineError.self) { try backend.zeros([2, -1]) }
            #expect(throws: EngineError.self) { try a.reshaped([4, 2]) }
            #expect(try a.reshaped([3, 2]).shape == [3, 2])
        }
    }

    /// k = 0 is an empty sum: C = beta * C, and never reads garbage into the result.
    @Test func gemmWithEmptyInnerDimension() throws {
        for backend in [CPUBackend(), try TestBackends.openCL()] as [any Backend] {
            let a = try backend.zeros([3, 0]), b = try backend.zeros([0, 2])
            let c = try backend.upload([1, 2, 3, 4, 5, 6], shape: [3, 2])
            try backend.gemm(a, b, into: c, transposeA: false, transposeB: false, alpha: 1, beta: 0.5, epilogue: .none)
            #expect(try backend.read(c) == [0.5, 1, 1.5, 2, 2.5, 3], "\(backend.kind)")
        }
    }

    @Test func seededGeneratorRepeatsAndRestores() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
        var restored = SeededGenerator(state: a.state)!
        #expect(restored.next() == a.next())
        #expect(SeededGenerator(state: [0, 0, 0, 0]) == nil)
        var floats = SeededGenerator(seed: 7)
        let values = (0..<1000).map { _ in floats.nextFloat(in: -1..<1) }
        #expect(values.allSatisfy { $0 >= -1 && $0 < 1 })
        #expect(abs(values.reduce(0, +) / 1000) < 0.1)
    }
}
