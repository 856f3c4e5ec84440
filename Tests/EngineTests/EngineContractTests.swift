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

    @Test(arguments: [("all", DeviceList.all), ("cpu", .listed([.cpu])), ("cpu, opencl:0", .listed([.cpu, .opencl(index: 0)])),
                      ("opencl:1,cpu,opencl:0", .listed([.opencl(index: 1), .cpu, .opencl(index: 0)]))])
    func deviceListsParseInOrder(text: String, expected: DeviceList) throws {
        #expect(try DeviceList(parsing: text) == expected)
    }

    @Test(arguments: [("cpu,cpu", "cpu is listed twice"), ("opencl:0,OpenCL:0", "opencl:0 is listed twice"),
                      ("auto", "'auto' names no one device"), ("cpu,opencl", "'opencl' names no one device"),
                      ("cpu,", "unknown device ''"), ("all,cpu", "unknown device 'all'"), ("cuda:0", "unknown device 'cuda:0'")])
    func badDeviceListsAreRefused(text: String, message: String) {
        do {
            _ = try DeviceList(parsing: text)
            Issue.record("'\(text)' was accepted")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    /// `all`: the CPU backend and every OpenCL device but a CPU one; a listed device past the
    /// last is named.
    @Test func allDevicesLeavesOutOpenCLOnTheCPU() throws {
        let devices = try Device.all()
        let all = DeviceList.allDevices(among: devices)
        #expect(all.used.first == .cpu)
        #expect(all.used.count + all.leftOut.count == devices.count + 1)
        for (index, device) in devices.enumerated() {
            #expect(all.used.contains(.opencl(index: index)) == (device.kind != .cpu), "\(device.name)")
        }
        #expect(try DeviceList.all.requests(among: devices) == all.used)
        #expect(throws: EngineError.self) { try DeviceList.listed([.cpu, .opencl(index: devices.count)]).requests(among: devices) }
    }

    /// A reservation leaves the CPU backend fewer threads (at least one), and its products the
    /// same bits.
    @Test func reservedThreadsChangeTheCountNotTheResult() throws {
        let backend = CPUBackend()
        let (m, k, n) = (257, 300, 129)  // past BLASThreads.threshold: OpenBLAS would split it
        var generator = SeededGenerator(seed: 5)
        let a = try backend.upload((0..<(m * k)).map { _ in Float.random(in: -1...1, using: &generator) }, shape: [m, k])
        let b = try backend.upload((0..<(k * n)).map { _ in Float.random(in: -1...1, using: &generator) }, shape: [k, n])
        func product() throws -> [Float] {
            let c = try backend.zeros([m, n], elementType: .float32)
            try backend.gemm(a, b, into: c, transposeA: false, transposeB: false, alpha: 1, beta: 0, epilogue: .none)
            return try backend.read(c)
        }
        let all = try product()
        CPUThreads.reserve(CPUThreads.available)
        defer { CPUThreads.reserve(0) }
        #expect(CPUThreads.count == 1)
        #expect(backend.description.contains("1 thread"))
        #expect(try product() == all)
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
