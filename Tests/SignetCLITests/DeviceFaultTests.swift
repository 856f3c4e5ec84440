import Foundation
import Testing

/// Faults of the OpenCL device, as `signet train --device opencl` meets them: each ends the run
/// with one line that names the device and what it could not do, and a non-zero exit.
@Suite("Device faults", .serialized)
struct DeviceFaultTests {
    /// The repository's `Kernels/` folder, from this file's place in it.
    static let kernels = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Kernels")

    /// The first OpenCL device, as `signet devices --json` lists it.
    func device() throws -> [String: Any] {
        let listed = try SignetProcess.run(["devices", "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [String: Any]
        return try #require((json?["devices"] as? [[String: Any]])?.first, "no OpenCL device: \(listed.standardError)")
    }

    /// `SIGNET_KERNELS_DIR` at a copy of the kernels whose GEMM source does not compile (and a
    /// fresh program cache, so that nothing built before is taken instead).
    @Test func aKernelThatFailsToBuildIsNamedWithItsDeviceAndLog() throws {
        let folder = try temporaryFolder("kernels")
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.kernels.path) where name.hasSuffix(".cl") {
            try FileManager.default.copyItem(at: Self.kernels.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let gemm = folder.appendingPathComponent("gemm.cl")
        try (String(contentsOf: gemm, encoding: .utf8) + "\nthis is not OpenCL C {\n").write(to: gemm, atomically: true, encoding: .utf8)
        let name = try #require(try device()["name"] as? String)
        let outcome = try SignetProcess.run(["train", "--digits", "1,7", "--per-class", "10", "--epochs", "1", "--device", "opencl", "--quiet"],
                                            environment: ["SIGNET_KERNELS_DIR": folder.path,
                                                          "SIGNET_CACHE_DIR": folder.appendingPathComponent("cache").path])
        #expect(outcome.status == 1)
        let errors = outcome.errorLines
        #expect(errors.count == 1 && errors[0].contains("'gemm.cl' failed to build for \(name)"), "stderr was: \(outcome.standardError)")
        #expect(outcome.standardError.contains("error:"), "the compiler's log follows")
        #expect(!outcome.standardOutput.contains("Epoch"))
    }

    /// A dense layer whose kernel is one buffer just past the device's largest allocation.
    @Test func aBufferPastTheLargestAllocationIsRefusedWithTheSizes() throws {
        let device = try device()
        let name = try #require(device["name"] as? String), largest = try #require(device["maxAllocationBytes"] as? Int)
        let units = largest / (784 * 4) + 1
        let outcome = try SignetProcess.run(["train", "--digits", "1,7", "--per-class", "10", "--epochs", "1", "--device", "opencl",
                                             "--quiet", "--model", "dense(\(units))"])
        #expect(outcome.status == 1)
        let errors = outcome.errorLines
        #expect(errors.count == 1, "stderr was: \(outcome.standardError)")
        if 784 * units <= Int(Int32.max) {
            #expect(errors.first?.contains("a buffer of \(784 * units * 4) bytes exceeds \(name)'s largest allocation (\(largest) bytes)") == true,
                    "stderr was: \(outcome.standardError)")
        } else {
            // A device that allocates more than 2^31 floats at once meets the model's own limit first.
            #expect(errors.first?.contains("is too large") == true, "stderr was: \(outcome.standardError)")
        }
        #expect(!outcome.standardOutput.contains("Epoch"))
    }

    /// A kernel launch that fails mid-training (the 50th, in epoch 1: `SIGNET_FAULT` makes it
    /// return `CL_OUT_OF_RESOURCES`): one line naming the call, the kernel, its work sizes and
    /// the device, suggesting the CPU backend; no checkpoint of the broken epoch.
    @Test func aLaunchThatFailsMidTrainingNamesTheKernelItsSizesAndTheDevice() throws {
        let name = try #require(try device()["name"] as? String)
        let checkpoint = FileManager.default.temporaryDirectory.appendingPathComponent("signet-launch-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: checkpoint) }
        let outcome = try SignetProcess.run(["train", "--digits", "1,7", "--per-class", "50", "--epochs", "2", "--device", "opencl",
                                             "--quiet", "--save", checkpoint.path],
                                            environment: ["SIGNET_FAULT": "opencl-error:launch=50"])
        #expect(outcome.status == 1)
        let errors = outcome.errorLines
        let line = errors.first ?? ""
        #expect(errors.count == 1 && line.contains("clEnqueueNDRangeKernel(") && line.contains("global [") && line.contains("on \(name)")
                && line.contains("CL_OUT_OF_RESOURCES") && line.contains("--device cpu"), "stderr was: \(outcome.standardError)")
        #expect(outcome.standardOutput.contains("Training on"), "it failed in training, after the model was made")
        #expect(!outcome.standardOutput.contains("Epoch 1/2"), "the epoch that failed is not reported as done")
        #expect(!FileManager.default.fileExists(atPath: checkpoint.path))
    }
}
