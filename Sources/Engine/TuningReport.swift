import Foundation
import OpenCL

/// What one `signet tune` run measured on a device, and the tuning it chose.
public struct TuningReport: Sendable, Codable {
    /// One shape: the bounded search's choice and, when the run also searched exhaustively,
    /// the exhaustive best and both re-timed side by side.
    public struct ShapeReport: Sendable, Codable {
        public var shape: KernelTuner.Shape
        public var search: KernelTuner.ShapeResult
        public var exhaustive: KernelTuner.ShapeResult?
        /// The bounded and the exhaustive choice timed in alternation (medians of 5), in that order.
        public var sideBySide: [KernelTuner.Timing]?

        /// The bounded choice's speed over the exhaustive best's, side by side (1 when they agree).
        public var boundedOverExhaustive: Double? {
            guard let sideBySide, sideBySide.count == 2 else { return nil }
            return sideBySide[0].gflops / sideBySide[1].gflops
        }
    }

    public var device: String
    public var driver: String
    /// The GEMM grid's axes and the number of valid choices per shape (grid + alternative).
    public var space: [String]
    public var spaceSize: Int
    public var shapes: [ShapeReport]
    /// Seconds of the per-pixel kernels per work-group width, fastest first.
    public var pixelWidths: [PixelWidth]
    /// Seconds of each patch gatherer and of each softmax row kernel, fastest first per kind.
    public var kernelChoices: [KernelChoice]
    public var tuning: KernelTuning
    public var seconds: Double

    public struct PixelWidth: Sendable, Codable {
        public var width: Int
        public var seconds: Double
    }

    /// One kernel timed where there are alternatives: `kind` (`im2col`, `softmax rows`), the
    /// alternative's name and its seconds.
    public struct KernelChoice: Sendable, Codable {
        public var kind: String
        public var choice: String
        public var seconds: Double
    }
}

extension KernelTuner {
    /// Tunes every shape (bounded search; with `exhaustive`, also every point of the space,
    /// then both winners side by side), the pixel width and the patch and row kernels, and returns the report with the
    /// tuning to store. Where both searches ran, the tuning keeps the faster side-by-side.
    public func run(shapes: [Shape], exhaustive: Bool) throws -> TuningReport {
        let start = DispatchTime.now().uptimeNanoseconds
        progress("GEMM search space on \(backend.device.name): " + space.axes.map { "\($0.name) \($0.values.map(String.init).joined(separator: "/"))" }
            .joined(separator: ", ") + "; \(space.size) valid choices per shape (with \(space.alternative))")
        var reports: [TuningReport.ShapeReport] = []
        for shape in shapes {
            progress("\(shape): bounded search")
            let bounded = try tune(shape, search: .bounded)
            var report = TuningReport.ShapeReport(shape: shape, search: bounded)
            if exhaustive {
                progress("\(shape): exhaustive search")
                let all = try tune(shape, search: .exhaustive)
                report.exhaustive = all
                report.sideBySide = try compare([bounded.best.choice, all.best.choice], at: shape)
            }
            reports.append(report)
        }
        let widths = try tunePixelWidth()
        let (im2col, rows) = try tunePatchAndRowKernels()
        let tuned = reports.map { report -> KernelTuning.TunedShape in
            let best = report.sideBySide?.max { $0.gflops < $1.gflops } ?? report.search.best
            return KernelTuning.TunedShape(m: report.shape.m, n: report.shape.n, k: report.shape.k, choice: best.choice,
                                           gflops: best.gflops)
        }
        let timed = reports.reduce(0) { $0 + $1.search.timed + ($1.exhaustive?.timed ?? 0) }
        let date = ISO8601DateFormatter().string(from: Date())
        let search = exhaustive ? "bounded and exhaustive searches" : "bounded search"
        let tuning = KernelTuning(
            origin: .tuned(date: date, search: "\(search), \(timed) GEMM timings over \(shapes.count) shapes of \(space.size) choices each"),
            gemm: KernelTuning.defaults(for: backend.device).gemm, shapes: tuned,
            pixelGroupWidth: widths.first?.width ?? KernelTuning.defaults(for: backend.device).pixelGroupWidth,
            im2colKernel: im2col.first?.kernel, rowKernel: rows.first?.kernel)
        return TuningReport(
            device: backend.device.name, driver: backend.device.driverVersion,
            space: space.axes.map { "\($0.name): \($0.values.map(String.init).joined(separator: ", "))" } + ["alternative: \(space.alternative)"],
            spaceSize: space.size, shapes: reports,
            pixelWidths: widths.map { TuningReport.PixelWidth(width: $0.width, seconds: $0.seconds) },
            kernelChoices: im2col.map { .init(kind: "im2col", choice: $0.kernel.rawValue, seconds: $0.seconds) }
                + rows.map { .init(kind: "softmax rows", choice: $0.kernel.rawValue, seconds: $0.seconds) },
            tuning: tuning, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}
