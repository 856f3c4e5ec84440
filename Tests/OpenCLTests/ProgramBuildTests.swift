import Foundation
import OpenCL
import Testing

/// Program builds, the binary cache and error naming, on the first OpenCL device (PoCL in CI).
@Suite("OpenCL programs and cache")
struct ProgramBuildTests {
    static let validSource = """
        __kernel void add_one(__global float* x, const int n) {
            int i = get_global_id(0);
            if (i < n) x[i] += 1.0f;
        }
        """

    func context() throws -> Context {
        guard let device = try Device.all().first else {
            throw OpenCLTestError("no OpenCL device: install pocl-opencl-icd (scripts/install-system-packages.sh)")
        }
        return try Context(device: device)
    }

    func temporaryCache() throws -> ProgramCache {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("signet-cache-test-\(UUID().uuidString)", isDirectory: true)
        return ProgramCache(directory: folder)
    }

    @Test func syntaxErrorNamesTheFileAndQuotesTheCompiler() throws {
        let context = try context()
        let broken = "__kernel void broken(__global float* x) { x[0] = undefined_name + ; }"
        do {
            _ = try Program(context: context, name: "broken.cl", source: broken)
            Issue.record("a kernel with a syntax error built")
        } catch let error as OpenCLError {
            guard case let .buildFailed(program, _, _, log) = error else {
                Issue.record("expected buildFailed, got \(error)")
                return
            }
            #expect(program == "broken.cl")
            #expect(log.contains("undefined_name"), "the build log should quote the compiler: \(log)")
            #expect(error.description.contains("broken.cl"))
            #expect(error.description.contains("error"))
        }
    }

    @Test func buildOptionsReachTheCompiler() throws {
        let context = try context()
        let source = "__kernel void k(__global float* x) { x[0] = TILE; }"
        #expect(throws: OpenCLError.self) { try Program(context: context, name: "k.cl", source: source) }
        let program = try Program(context: context, name: "k.cl", source: source, options: "-DTILE=4")
        let queue = try CommandQueue(context: context)
        let buffer = try Buffer<Float>(context: context, count: 1)
        let kernel = try program.kernel("k")
        try kernel.setArgument(0, buffer)
        try queue.enqueue(kernel, globalSize: [1])
        var value: [Float] = [0]
        try value.withUnsafeMutableBufferPointer { try queue.read(buffer, into: $0) }
        #expect(value == [4])
    }

    @Test func secondBuildComesFromTheCache() throws {
        let context = try context()
        let cache = try temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache.directory) }
        let first = try Program(context: context, name: "add_one.cl", source: Self.validSource, cache: cache)
        #expect(first.origin == .compiledFromSource)
        let second = try Program(context: context, name: "add_one.cl", source: Self.validSource, cache: cache)
        #expect(second.origin == .loadedFromCache)
        try expectAddsOne(second, context: context)
        // Different options or source are different entries.
        let other = try Program(context: context, name: "add_one.cl", source: Self.validSource, options: "-DUNUSED=1", cache: cache)
        #expect(other.origin == .compiledFromSource)
    }

    /// Damaged entries, among them lengths that overflow an offset when added to it (a crafted
    /// entry trapped the process before).
    @Test(arguments: ["truncated", "empty", "garbage", "flipped", "huge descriptor length", "huge binary length"])
    func corruptCacheEntryIsRebuilt(damage: String) throws {
        let context = try context()
        let cache = try temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache.directory) }
        _ = try Program(context: context, name: "add_one.cl", source: Self.validSource, cache: cache)
        let key = ProgramCache.Key(device: context.device, options: "", source: Self.validSource)
        let file = cache.url(for: key)
        var bytes = try Data(contentsOf: file)
        switch damage {
        case "truncated": bytes = bytes.prefix(bytes.count / 2)
        case "empty": bytes = Data()
        case "garbage": bytes = Data(repeating: 0x5A, count: bytes.count)
        case "huge descriptor length", "huge binary length":
            // Int.max, little-endian, over the descriptor's length (after the 8-byte magic) or
            // the binary's (after the descriptor).
            let descriptorLength = bytes[8..<16].reversed().reduce(0) { $0 << 8 | Int($1) }
            let at = damage == "huge descriptor length" ? 8 : 16 + descriptorLength
            bytes.replaceSubrange(at..<at + 8, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        default: bytes[bytes.count / 2] ^= 0xFF
        }
        try bytes.write(to: file)
        #expect(cache.binary(for: key) == nil, "a \(damage) entry must not verify")
        let rebuilt = try Program(context: context, name: "add_one.cl", source: Self.validSource, cache: cache)
        #expect(rebuilt.origin == .compiledFromSource)
        try expectAddsOne(rebuilt, context: context)
        // The rebuild stored a good entry again.
        #expect(try Program(context: context, name: "add_one.cl", source: Self.validSource, cache: cache).origin == .loadedFromCache)
    }

    @Test func missingKernelIsNamed() throws {
        let program = try Program(context: try context(), name: "add_one.cl", source: Self.validSource)
        #expect(throws: OpenCLError.missingKernel(name: "nope", program: "add_one.cl")) { try program.kernel("nope") }
    }

    @Test func errorsUseSymbolicNames() {
        #expect(OpenCLError.call("clEnqueueNDRangeKernel", code: -5).description
            == "clEnqueueNDRangeKernel failed: CL_OUT_OF_RESOURCES (-5)")
        #expect(OpenCLError.symbolicName(of: -54) == "CL_INVALID_WORK_GROUP_SIZE")
        #expect(OpenCLError.symbolicName(of: -1001) == "CL_PLATFORM_NOT_FOUND_KHR")
    }

    @Test func badWorkGroupSizeIsReportedByName() throws {
        let context = try context()
        let program = try Program(context: context, name: "add_one.cl", source: Self.validSource)
        let kernel = try program.kernel("add_one")
        let buffer = try Buffer<Float>(context: context, count: 10)
        try kernel.setArgument(0, buffer)
        try kernel.setArgument(1, value: Int32(10))
        let queue = try CommandQueue(context: context)
        // 10 work-items cannot be split into groups of 3 on an OpenCL 1.2 device, and no device
        // accepts a group larger than its maximum.
        let tooLarge = context.device.maxWorkGroupSize * 2
        do {
            try queue.enqueue(kernel, globalSize: [tooLarge], localSize: [tooLarge])
            Issue.record("a work-group of \(tooLarge) was accepted")
        } catch let error as OpenCLError {
            #expect(error.description.contains("CL_INVALID_WORK_GROUP_SIZE") || error.description.contains("CL_INVALID_WORK_ITEM_SIZE"),
                    "\(error)")
        }
    }

    @Test func eventsTimeKernels() throws {
        let context = try context()
        let program = try Program(context: context, name: "add_one.cl", source: Self.validSource)
        let kernel = try program.kernel("add_one")
        let buffer = try Buffer<Float>(context: context, count: 1024)
        try kernel.setArgument(0, buffer)
        try kernel.setArgument(1, value: Int32(1024))
        let queue = try CommandQueue(context: context, profiling: true)
        let event = try #require(try queue.enqueue(kernel, globalSize: [1024], wantEvent: true))
        #expect(try event.elapsedNanoseconds() < 10_000_000_000)
    }

    func expectAddsOne(_ program: Program, context: Context) throws {
        let queue = try CommandQueue(context: context)
        let buffer = try Buffer<Float>(context: context, count: 5)
        let input: [Float] = [0, 1, 2, 3, 4]
        try input.withUnsafeBufferPointer { try queue.write($0, to: buffer) }
        let kernel = try program.kernel("add_one")
        try kernel.setArgument(0, buffer)
        try kernel.setArgument(1, value: Int32(5))
        try queue.enqueue(kernel, globalSize: [5])
        var output = [Float](repeating: 0, count: 5)
        try output.withUnsafeMutableBufferPointer { try queue.read(buffer, into: $0) }
        #expect(output == [1, 2, 3, 4, 5])
    }
}

struct OpenCLTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
