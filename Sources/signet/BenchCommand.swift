import ArgumentParser
import Bench
import Datasets
import Engine
import Foundation
import OpenCL
import Report

/// `signet bench`: the standard workloads on every backend, one table, and the same numbers as
/// `bench.json` and `bench.html`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the standard workloads on the CPU backend and every OpenCL device, side by side.",
        discussion: """
            Workloads: gemm (N = 256 ... 4096 and the dense network's skinny products), conv (the cnn models' \
            convolutions, forward and backward), mlp (one epoch of 784-32-64-10, batch 32 and 128), cnn (one epoch, \
            batch 128), kmeans (k = 2 ... 10, n_init 10, on 70,000 x 64 signatures), silhouette (all nine k, exact), \
            umap (10,000 and 70,000 points), study (the full-70k study without UMAP, one run per backend), or all. \
            Each case runs once to warm up where that matters, then \
            --repeats times per backend, the backends taking turns (fewer, never under 3, where they would take longer \
            than --sample-budget seconds); the table gives medians, the spread, GFLOP/s, \
            the speed-up over the CPU backend and the other processes' share of the CPUs. With --peers, PyTorch, \
            Keras, scikit-learn and umap-learn run the same cases in processes of their own, taking turns with the \
            backends (scikit-learn's silhouette and umap-learn at 70,000 points once each: a run takes a minute). \
            Writes DIR/bench.json and DIR/bench.html. Everything but gemm and conv reads MNIST (SIGNET_DATA).
            """)

    @Argument(help: ArgumentHelp("Workloads: gemm, conv, mlp, cnn, kmeans, silhouette, umap, study, or all (default all).",
                                 valueName: "workload"))
    var workloads: [String] = []

    @Option(name: .long, help: ArgumentHelp("Backends: all (the CPU backend and every OpenCL device), cpu, opencl (every device) or opencl:N.",
                                            valueName: "device"))
    var device: String = "all"

    @Option(help: ArgumentHelp("Timed runs per case and backend.", valueName: "n"))
    var repeats: Int = 5

    @Option(name: .customLong("sample-budget"),
            help: ArgumentHelp("Seconds one backend's (or peer's) samples of a case may take before it gets fewer, never under 3; 0 for no limit.",
                               valueName: "seconds"))
    var sampleBudget: Double = 30

    @Option(name: .customLong("gemm-sizes"), help: ArgumentHelp("Square GEMM sizes, e.g. 256,1024.", valueName: "list"))
    var gemmSizes: String = "256,512,1024,2048,4096"

    @Option(help: ArgumentHelp("Folder for bench.json and bench.html.", valueName: "dir"))
    var out: String = "signet-bench"

    @Flag(help: "Run the peer libraries too, beside Signet: PyTorch and Keras (mlp, cnn), scikit-learn (kmeans, silhouette), umap-learn (umap), from the venvs Benchmarks/peers/setup-venv.sh makes.")
    var peers = false

    @Option(name: .customLong("peer-scripts"), help: ArgumentHelp("The peers' scripts (default: Benchmarks/peers of the working directory).",
                                                                 valueName: "dir"))
    var peerScripts: String = "Benchmarks/peers"

    @Flag(help: "Print the result as JSON instead of the table.")
    var json = false

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
        guard sampleBudget >= 0, sampleBudget.isFinite else {
            throw ValidationError("--sample-budget must be a number of seconds, 0 or more, got \(sampleBudget)")
        }
        _ = try chosenWorkloads()
        _ = try sizes()
        try StudyCommand.checkFolder(out, flag: "--out")
    }

    func chosenWorkloads() throws -> [BenchWorkload] {
        if workloads.isEmpty || workloads == ["all"] { return BenchWorkload.allCases }
        return try workloads.map { name in
            guard let workload = BenchWorkload(rawValue: name) else {
                throw ValidationError("unknown workload '\(name)': use " + BenchWorkload.allCases.map(\.rawValue).joined(separator: ", ") + " or all")
            }
            return workload
        }
    }

    func sizes() throws -> [Int] {
        let parts = gemmSizes.split(separator: ",", omittingEmptySubsequences: false)
        let values = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, values.count == parts.count, values.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--gemm-sizes wants positive integers separated by commas, got '\(gemmSizes)'")
        }
        return values
    }

    /// The backends `--device` names, each with its table name.
    func backends() throws -> [(name: String, backend: any Backend)] {
        let wantsCPU = device == "all" || device == "cpu"
        var chosen: [(name: String, backend: any Backend)] = wantsCPU ? [("cpu", CPUBackend())] : []
        guard device != "cpu" else { return chosen }
        let devices: [Device]
        do {
            devices = try Device.all()
        } catch {
            if device == "all" {
                printError("No OpenCL devices (\(error)): timing the CPU backend only")
                return chosen
            }
            throw CLIFailure("cannot list OpenCL devices: \(error)")
        }
        let indices: [Int]
        switch device {
        case "all", "opencl": indices = Array(devices.indices)
        default:
            guard device.hasPrefix("opencl:"), let index = Int(device.dropFirst("opencl:".count)) else {
                throw CLIFailure("unknown --device '\(device)': use all, cpu, opencl or opencl:N")
            }
            guard devices.indices.contains(index) else {
                throw CLIFailure("--device \(device): no such OpenCL device; there \(devices.count == 1 ? "is 1" : "are \(devices.count)") (see signet devices)")
            }
            indices = [index]
        }
        if indices.isEmpty && device == "opencl" { throw CLIFailure("--device opencl: no OpenCL device found") }
        for index in indices {
            let backend = try OpenCLBackend(device: devices[index])
            try backend.warmUp()
            chosen.append(("opencl:\(index)", backend))
        }
        return chosen
    }

    func run() throws {
        let workloads = try chosenWorkloads()
        let store = workloads.contains(where: \.needsData) ? DatasetStore() : nil
        let folder = URL(fileURLWithPath: out, isDirectory: true)
        var peerEnvironment: PeerEnvironment?
        if peers {
            // The training peers read MNIST's IDX files from a folder holding mnist/.
            let data = try store.map { try $0.locate(.mnist).deletingLastPathComponent().path }
            do {
                peerEnvironment = try PeerEnvironment.find(scripts: URL(fileURLWithPath: peerScripts, isDirectory: true), data: data,
                                                           work: folder.appendingPathComponent("peers", isDirectory: true))
            } catch let error as BenchError {
                throw CLIFailure(error.description)
            }
            if peerEnvironment?.trainingPython == nil { printError("--peers: no training venv (setup-venv.sh --training): mlp and cnn run without PyTorch and Keras") }
            if peerEnvironment?.analysisPython == nil { printError("--peers: no analysis venv (setup-venv.sh): kmeans, silhouette and umap run without scikit-learn and umap-learn") }
        }
        let runner = BenchRunner(backends: try backends(), repeats: repeats, sampleBudgetSeconds: sampleBudget, gemmSizes: try sizes(),
                                 store: store,
                                 peerEnvironment: peerEnvironment, log: printError)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw CLIFailure("cannot make --out \(out): \(error.localizedDescription)")
        }
        let result: BenchResult
        do {
            result = try runner.run(workloads)
        } catch let error as BenchError {
            throw CLIFailure(error.description)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let jsonData = try encoder.encode(result)
        try jsonData.write(to: folder.appendingPathComponent("bench.json"), options: .atomic)
        try Data(BenchPage.render(result).utf8).write(to: folder.appendingPathComponent("bench.html"), options: .atomic)
        if json {
            print(String(decoding: jsonData, as: UTF8.self))
        } else {
            BenchTable.lines(result).forEach { print($0) }
            print("Wrote \(folder.appendingPathComponent("bench.json").path) and bench.html")
        }
    }
}
