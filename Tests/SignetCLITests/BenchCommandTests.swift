import Foundation
import Testing

/// `signet bench` end to end on its engine workloads (the others train on MNIST for minutes):
/// the table, the JSON and the HTML page, and the one-line refusals.
@Suite("signet bench", .serialized)
struct BenchCommandTests {
    @Test func timesGEMMOnEveryBackendAndWritesItsFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("signet-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try SignetProcess.run(["bench", "gemm", "--gemm-sizes", "48", "--repeats", "2", "--out", folder.path])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let out = outcome.standardOutput
        #expect(out.contains("| gemm | GEMM 48 | cpu |"), "\(out)")
        #expect(out.contains("| gemm | GEMM 48 | opencl:0 |"), "CI installs PoCL: the OpenCL device runs too")
        #expect(out.contains("OPENBLAS_CORETYPE"), "the BLAS figures say how OpenBLAS was told to run")
        #expect(out.contains("| median s | runs |") && out.contains("over 30 s"), "each row says how many runs its median is of")

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("bench.json"))) as? [String: Any]
        let measurements = try #require(json?["measurements"] as? [[String: Any]])
        #expect(json?["sampleBudgetSeconds"] as? Double == 30)
        // One square size and three dense shapes, on two backends.
        #expect(measurements.count == 8)
        for m in measurements {
            let samples = try #require(m["samples"] as? [Double])
            #expect(samples.count == 2 && samples.allSatisfy { $0 > 0 })
            #expect((m["gflops"] as? Double ?? 0) > 0)
            #expect(m["speedUpOverCPU"] as? Double != nil)
        }
        let html = try String(contentsOf: folder.appendingPathComponent("bench.html"), encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<svg") && html.contains("GEMM 48") && html.contains("dense forward 128x784 . 784x32"))
        #expect(html.contains("opencl:0"))
    }

    @Test func printsJSONWhenAsked() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("signet-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try SignetProcess.run(["bench", "gemm", "--gemm-sizes", "32", "--repeats", "1", "--device", "cpu", "--json",
                                             "--out", folder.path])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let json = try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any]
        let backends = try #require(json?["backends"] as? [[String: Any]])
        #expect(backends.compactMap { $0["name"] as? String } == ["cpu"])
    }

    @Test(arguments: [
        (["bench", "gemv"], "unknown workload 'gemv'"),
        (["bench", "gemm", "--repeats", "0"], "--repeats must be at least 1"),
        (["bench", "gemm", "--sample-budget=-1"], "--sample-budget must be a number of seconds, 0 or more"),
        (["bench", "gemm", "--gemm-sizes", "64,x"], "--gemm-sizes wants positive integers"),
        (["bench", "gemm", "--device", "opencl:99"], "--device opencl:99: no such OpenCL device"),
        (["bench", "gemm", "--device", "tpu"], "unknown --device 'tpu'"),
        (["bench", "gemm", "--peers", "--peer-scripts", "/nonexistent"], "--peers: /nonexistent has no sklearn_clustering.py"),
    ])
    func refusesBadInputInOneLine(arguments: [String], message: String) throws {
        let outcome = try SignetProcess.run(arguments)
        #expect(outcome.status != 0)
        let first = outcome.standardError.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("Error: ") && first.contains(message), "\(outcome.standardError)")
    }
}
