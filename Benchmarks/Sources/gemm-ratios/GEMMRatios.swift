import ArgumentParser
import Bench
import Engine
import Foundation
import GEMMContenders
import OpenCL

/// Every GEMM contender at every size in one process, samples interleaved, medians compared:
/// the ratios the targets are stated in, from one run on one machine.
@main
struct GEMMRatios: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm-ratios",
        abstract: "Square float32 GEMM: OpenBLAS, CPUBackend, OpenCLBackend and CLBlast side by side, with ratios.",
        discussion: """
            For each N, every contender multiplies once untimed (warm-up) and once to calibrate and \
            check its result against OpenBLAS's; then the contenders take turns, one sample each \
            per round, until each has its samples. A sample times enough back-to-back multiplies \
            to last --min-sample-seconds and divides by their count. GFLOP/s = 2 N^3 / median \
            seconds / 1e9; ratios are of those medians.
            """
    )

    @Option(name: .long, parsing: .upToNextOption, help: "Matrix sizes N.")
    var sizes: [Int] = SquareGEMM.standardSizes

    @Option(name: .long, help: "Samples per contender and size (the median is reported).")
    var repetitions = 5

    @Option(name: .long, help: "Fewer samples where one contender's samples at one size would take longer than this, in seconds: never under 3, but 1 where a single multiply takes longer than this.")
    var budget = 20.0

    @Option(name: .long, help: "Each sample repeats the multiply until it lasts at least this long, in seconds.")
    var minSampleSeconds = 0.2

    @Option(name: .long, help: "Pause between samples, in milliseconds, so that one library's idle threads stop spinning before the next runs.")
    var pauseMilliseconds = 100

    @Option(name: .long, help: "OpenCL device number, as `signet devices` lists them (default: $SIGNET_BENCH_DEVICE, else the first GPU, else device 0).")
    var device: Int?

    @Option(name: .long, help: "Force the OpenCLBackend's GEMM variant (default: the device's preferred one).")
    var variant: String?

    @Option(name: .long, parsing: .upToNextOption, help: "Which contenders to run: openblas, cpu, opencl, clblast.")
    var contenders: [ContenderKind] = ContenderKind.allCases

    @Flag(name: .long, help: "Exit with status 1 when a target ratio is missed.")
    var requireTargets = false

    func validate() throws {
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 > 0 }) else { throw ValidationError("sizes must be positive") }
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
        if let variant, GEMMVariant(rawValue: variant) == nil {
            throw ValidationError("unknown variant '\(variant)': use \(GEMMVariant.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let field = try makeContenders()
        guard !field.isEmpty else { throw ValidationError("no contender could start") }
        log("machine: \(ProcessInfo.processInfo.activeProcessorCount) active cores, \(ProcessInfo.processInfo.hostName)")
        for contender in field { log("  \(contender.name): \(contender.detail)") }

        var rows: [Row] = []
        for n in sizes {
            rows.append(try measure(SquareGEMM(n: n), field))
        }
        let report = Report(contenders: field.map(\.name), rows: rows, openCLLabel: openCLLabel(field))
        print(report.text(repetitions: repetitions, minSampleSeconds: minSampleSeconds))
        if requireTargets && !report.targetsMet { throw ExitCode(1) }
    }

    // MARK: Contenders

    private func makeContenders() throws -> [any GEMMContender] {
        var device: (index: Int, device: Device)?
        if contenders.contains(where: \.needsOpenCL) {
            do {
                device = try BenchmarkDevice.pick(index: self.device)
            } catch {
                log("skipping the OpenCL contenders: \(error)")
            }
        }
        let forced = variant.flatMap(GEMMVariant.init(rawValue:))
        var field: [any GEMMContender] = []
        // Table order, whatever order they were asked in: the baseline first.
        for kind in ContenderKind.allCases where contenders.contains(kind) {
            if kind.needsOpenCL && device == nil { continue }
            do {
                field.append(try kind.make(device: device, variant: forced))
            } catch where kind == .clblast {
                log("skipping CLBlast: \(error)")
            }
        }
        return field
    }

    private func openCLLabel(_ field: [any GEMMContender]) -> String? {
        (field.first { $0 is OpenCLBackendContender } as? OpenCLBackendContender).map { "OpenCLBackend (\($0.variant))" }
    }

    // MARK: Measuring

    private func measure(_ problem: SquareGEMM, _ field: [any GEMMContender]) throws -> Row {
        let n = problem.n
        var workloads = try field.map { try $0.prepare(problem) }
        defer { workloads.removeAll() }

        // Warm-up, calibration and the check against the first contender (OpenBLAS when present).
        var reference: [Float]?
        var repeats: [Int] = [], sampleCounts: [Int] = [], errors: [Double?] = []
        for (contender, workload) in zip(field, workloads) {
            workload.beginTiming()
            try workload.multiply()
            pause()
            let once = try secondsTaken { try workload.multiply() }
            workload.endTiming()
            let result = try workload.result()
            if let reference {
                errors.append(relativeError(result, reference: reference))
            } else {
                reference = result
                errors.append(nil)
            }
            let count = max(1, Int((minSampleSeconds / once).rounded(.up)))
            repeats.append(count)
            // At most --repetitions; fewer where they would overrun the budget, but at least 3,
            // or 1 where a single multiply overruns it (the reference kernel at N = 2048).
            let affordable = Int(budget / (once * Double(count)))
            sampleCounts.append(min(repetitions, max(affordable >= 1 ? 3 : 1, affordable)))
            log(String(format: "N=%d %@: warm-up done, %.3f ms per multiply, %d per sample, %d samples",
                       n, contender.name, once * 1000, count, sampleCounts.last!))
            pause()
        }

        // Rounds: each contender one sample per round, starting with a different one each round.
        var seconds = [[Double]](repeating: [], count: field.count)
        var loads = [[Double]](repeating: [], count: field.count)
        for round in 0..<(sampleCounts.max() ?? 0) {
            for offset in field.indices {
                let i = (round + offset) % field.count
                guard round < sampleCounts[i] else { continue }
                let workload = workloads[i], count = repeats[i]
                workload.beginTiming()
                let before = CPUSnapshot.now()
                let total = try secondsTaken { for _ in 0..<count { try workload.multiply() } }
                let after = CPUSnapshot.now()
                workload.endTiming()
                if let before, let after {
                    loads[i].append(before.otherProcessesLoad(until: after, wallSeconds: total))
                }
                seconds[i].append(total / Double(count))
                pause()
            }
        }

        let results = field.indices.map { i in
            Measurement(name: field[i].name, samplesGFLOPS: seconds[i].map { problem.gigaflops(seconds: $0) },
                        otherLoads: loads[i], relativeError: errors[i])
        }
        for result in results {
            let loads = result.otherLoads.map { String(format: "%.0f%%", $0 * 100) }.joined(separator: " ")
            log(String(format: "N=%d %@: %.2f GFLOP/s median, %.2f best (samples: %@; other processes' CPU share: %@)",
                       n, result.name, result.median, result.best,
                       result.samplesGFLOPS.map { String(format: "%.2f", $0) }.joined(separator: " "), loads))
        }
        return Row(n: n, results: results)
    }

    private func pause() {
        if pauseMilliseconds > 0 { usleep(useconds_t(pauseMilliseconds) * 1000) }
    }
}

func log(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
extension ContenderKind: ExpressibleByArgument {}
