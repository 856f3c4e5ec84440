import ArgumentParser
import Engine
import Foundation
import OpenCL

/// `signet tune`: times GEMM and pixel-kernel parameters on one OpenCL device and stores the
/// fastest, which later runs on that device and driver use.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Time kernel parameters on an OpenCL device and keep the fastest for later runs.",
        discussion: """
            For each GEMM shape (by default square 256, 1024, 2048, the dense network's and the cnn model's products), \
            a bounded search starts from the default parameters and tries every value of one parameter at a time, \
            moving to the fastest, until a round changes nothing; the other GEMM variant's standard parameters are \
            timed too. Each candidate is checked against the first one's product, then timed as the median of 5 samples. \
            The per-pixel kernels (im2col, pooling) get the fastest work-group width. The choice is stored in \
            $SIGNET_CACHE_DIR/tuning (default ~/.cache/signet/tuning), keyed by device and driver; `signet devices` shows \
            the parameters in use. SIGNET_TUNING=defaults makes a run ignore any stored tuning.
            """)

    @Option(name: .long, help: ArgumentHelp("The OpenCL device: opencl (the first GPU, else the first device) or opencl:N.",
                                            valueName: "device"))
    var device: String = "opencl"

    @Option(help: ArgumentHelp("GEMM shapes as MxNxK (op(A) M x K, op(B) K x N), comma-separated; default: the standard set.",
                               valueName: "list"))
    var shapes: String?

    @Flag(help: "Also time every choice of the space at each shape, and compare the bounded search's choice with the best, side by side.")
    var exhaustive = false

    @Flag(help: "Remove the device's stored tuning, so that it runs with the defaults again.")
    var reset = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        _ = try chosenShapes()
        if case .cpu = try request() {
            throw ValidationError("the CPU backend has no kernels to tune (its GEMM is OpenBLAS); choose an OpenCL device: opencl or opencl:N")
        }
    }

    func request() throws -> DeviceRequest {
        do {
            return try DeviceRequest(parsing: device)
        } catch let error as EngineError {
            throw ValidationError(error.description)
        }
    }

    func chosenShapes() throws -> [KernelTuner.Shape] {
        guard let shapes else { return KernelTuner.standardShapes }
        return try shapes.split(separator: ",").map { text in
            let sides = text.split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
            guard sides.count == 3, let m = sides[0], let n = sides[1], let k = sides[2], m > 0, n > 0, k > 0,
                  m * n <= 1 << 28, m * k <= 1 << 28, k * n <= 1 << 28 else {
                throw ValidationError("--shapes: '\(text)' is not MxNxK with positive sizes (each matrix at most 2^28 values)")
            }
            return KernelTuner.Shape(name: String(text), m: m, n: n, k: k)
        }
    }

    func run() throws {
        let devices = try listOpenCLDevices()
        let index: Int
        switch try request() {
        case .cpu: throw CLIFailure("the CPU backend has no kernels to tune")
        case .auto: index = try DeviceRequest.openCLIndex(nil, among: devices)
        case let .opencl(requested): index = try DeviceRequest.openCLIndex(requested, among: devices)
        }
        let target = devices[index]
        let store = TuningStore.standard()
        if reset {
            let removed = try store.remove(for: target)
            print(removed ? "Removed the tuning of opencl:\(index) (\(target.name)); it runs with the defaults."
                          : "opencl:\(index) (\(target.name)) had no stored tuning; it runs with the defaults.")
            return
        }
        // Tune from the defaults, whatever is stored: the search starts there.
        let backend = try OpenCLBackend(device: target, tuning: .defaults(for: target))
        let tuner = KernelTuner(backend: backend)
        tuner.progress = { printError($0) }
        let report = try tuner.run(shapes: try chosenShapes(), exhaustive: exhaustive)
        try store.save(report.tuning, for: target)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(Self.table(report, selector: "opencl:\(index)"))
            print("Stored in \(store.url(for: target).path)")
        }
    }

    /// The report as text: the space, a row per shape, the pixel widths, the patch and row kernels.
    static func table(_ report: TuningReport, selector: String) -> String {
        var lines = ["Tuned \(selector), \(report.device) (driver \(report.driver)) in \(String(format: "%.0f", report.seconds)) s.",
                     "GEMM space: \(report.spaceSize) choices per shape (\(report.space.joined(separator: "; ")))."]
        for shape in report.shapes {
            var line = "  \(shape.shape): \(shape.search.best.choice), \(String(format: "%.1f", shape.search.best.gflops)) GFLOP/s, "
                + "\(shape.search.timed) timed"
            if let all = shape.exhaustive, let ratio = shape.boundedOverExhaustive, let sides = shape.sideBySide {
                line += "; exhaustive best \(all.best.choice) (\(all.timed) timed); side by side "
                    + "\(String(format: "%.1f", sides[0].gflops)) vs \(String(format: "%.1f", sides[1].gflops)) GFLOP/s, "
                    + "bounded at \(String(format: "%.1f", 100 * ratio))% of the best"
            }
            if !shape.search.rejected.isEmpty { line += "; rejected as wrong: \(shape.search.rejected.joined(separator: ", "))" }
            lines.append(line)
        }
        lines.append("Pixel kernels: " + report.pixelWidths.map { "\($0.width) wide \(String(format: "%.2f", $0.seconds * 1e3)) ms" }
            .joined(separator: ", ") + "; chosen \(report.tuning.pixelGroupWidth).")
        for kind in ["im2col", "softmax rows"] {
            let timed = report.kernelChoices.filter { $0.kind == kind }
            guard let chosen = timed.first else { continue }
            lines.append("\(kind.prefix(1).uppercased() + kind.dropFirst()): "
                + timed.map { "\($0.choice) \(String(format: "%.2f", $0.seconds * 1e3)) ms" }.joined(separator: ", ")
                + "; chosen \(chosen.choice).")
        }
        return lines.joined(separator: "\n")
    }
}
