import Foundation
import OpenCL

/// Times kernel candidates on one OpenCL device and picks the fastest: the GEMM per problem
/// shape (`GEMMSearchSpace`) and the work-group width of the per-pixel kernels.
///
/// Every candidate is checked against the first one's product before it is timed, so a
/// parameter set that computes wrong values on some driver is reported and never chosen.
/// A time is the median of `samples` samples, each of enough back-to-back calls to last about
/// `sampleSeconds`, after one untimed call that builds the kernel.
public final class KernelTuner {
    /// One GEMM shape to tune: op(A) is `m x k`, op(B) `k x n`.
    public struct Shape: Sendable, Hashable, Codable, CustomStringConvertible {
        public var name: String
        public var m: Int, n: Int, k: Int

        public init(name: String, m: Int, n: Int, k: Int) {
            self.name = name
            self.m = m
            self.n = n
            self.k = k
        }

        public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
        public var description: String { "\(name) (\(m)x\(k) * \(k)x\(n))" }
    }

    /// Square 256, 1024 and 2048; the dense network's GEMMs at batch 128 (forward, and the
    /// first layer's weight gradient); the cnn model's two im2col GEMMs at batch 128.
    public static let standardShapes = [
        Shape(name: "square 256", m: 256, n: 256, k: 256),
        Shape(name: "square 1024", m: 1024, n: 1024, k: 1024),
        Shape(name: "square 2048", m: 2048, n: 2048, k: 2048),
        Shape(name: "dense 784->32", m: 128, n: 32, k: 784),
        Shape(name: "dense 32->64", m: 128, n: 64, k: 32),
        Shape(name: "dense 64->10", m: 128, n: 10, k: 64),
        Shape(name: "dense 784->32 weight gradient", m: 784, n: 32, k: 128),
        Shape(name: "cnn conv 1", m: 128 * 26 * 26, n: 32, k: 9),
        Shape(name: "cnn conv 2", m: 128 * 11 * 11, n: 64, k: 288),
    ]

    /// How many candidates a search times.
    public enum Search: String, Sendable, Codable, CaseIterable {
        /// Coordinate descent from the default: each axis in turn, all its values with the others
        /// held, moving to the best, until a round changes nothing.
        case bounded
        /// Every valid point of the space.
        case exhaustive
    }

    /// One timed candidate.
    public struct Timing: Sendable, Codable, Equatable {
        public var choice: GEMMChoice
        public var seconds: Double
        public var gflops: Double
    }

    /// What a search found at one shape.
    public struct ShapeResult: Sendable, Codable {
        public var shape: Shape
        public var best: Timing
        /// Candidates timed (the space's size for an exhaustive search).
        public var timed: Int
        /// Candidates whose product disagreed with the first candidate's, with the error.
        public var rejected: [String]
    }

    public let backend: OpenCLBackend
    public let space: GEMMSearchSpace
    public var samples = 5
    public var sampleSeconds = 0.02
    /// Called with a line per step, for progress output.
    public var progress: (String) -> Void = { _ in }

    /// - Parameter space: the choices to search; nil takes the one for the device's type.
    public init(backend: OpenCLBackend, space: GEMMSearchSpace? = nil) {
        self.backend = backend
        self.space = space ?? .forDevice(backend.device)
    }

    // MARK: GEMM

    /// Searches `shape` and returns the fastest candidate.
    public func tune(_ shape: Shape, search: Search) throws -> ShapeResult {
        let bench = try GEMMBench(backend: backend, shape: shape)
        var timings: [GEMMChoice: Timing] = [:]
        var rejected: [String] = []
        var reference: [Float]?
        func time(_ choice: GEMMChoice) throws -> Double {
            if let known = timings[choice] { return known.seconds }
            try bench.run(choice)
            guard try backend.matrixMultiply.effective(choice) == choice else {
                rejected.append("\(choice): the built kernel refuses its work-group")
                timings[choice] = Timing(choice: choice, seconds: .infinity, gflops: 0)
                return .infinity
            }
            let product = try backend.read(bench.c)
            if let reference {
                let error = zip(product, reference).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
                // Each value sums k products of values in [-1, 1]; a wrong kernel errs by O(1).
                guard error <= 1e-5 * Float(max(shape.k, 1)) + 1e-6 else {
                    rejected.append("\(choice): off by \(error)")
                    timings[choice] = Timing(choice: choice, seconds: .infinity, gflops: 0)
                    return .infinity
                }
            } else {
                reference = product
            }
            let seconds = try measure { try bench.run(choice) }
            timings[choice] = Timing(choice: choice, seconds: seconds, gflops: shape.flops / seconds / 1e9)
            return seconds
        }

        _ = try time(space.choice(at: space.start)!)
        switch search {
        case .exhaustive:
            for point in space.points { _ = try time(space.choice(at: point)!) }
        case .bounded:
            var current = space.start
            for _ in 0..<3 {
                let before = current
                for (axis, values) in space.axes.map(\.values).enumerated() {
                    var best = (point: current, seconds: try time(space.choice(at: current)!))
                    for value in values where value != current[axis] {
                        var point = current
                        point[axis] = value
                        guard let choice = space.choice(at: point) else { continue }
                        let seconds = try time(choice)
                        if seconds < best.seconds { best = (point, seconds) }
                    }
                    current = best.point
                }
                if current == before { break }
            }
        }
        _ = try time(space.alternative)
        let best = timings.values.min { $0.seconds < $1.seconds }!
        progress("\(shape): \(best.choice), \(String(format: "%.1f", best.gflops)) GFLOP/s (\(timings.count) timed)")
        return ShapeResult(shape: shape, best: best, timed: timings.count, rejected: rejected)
    }

    /// Times `choices` at `shape` in alternation, `rounds` times, and gives each one's median:
    /// a fair comparison of a few finalists on a noisy machine.
    public func compare(_ choices: [GEMMChoice], at shape: Shape, rounds: Int = 5) throws -> [Timing] {
        let bench = try GEMMBench(backend: backend, shape: shape)
        for choice in choices { try bench.run(choice) }
        var seconds = [[Double]](repeating: [], count: choices.count)
        for _ in 0..<rounds {
            for (index, choice) in choices.enumerated() {
                seconds[index].append(try measure(samples: 1) { try bench.run(choice) })
            }
        }
        return zip(choices, seconds).map { choice, times in
            let median = Self.median(times)
            return Timing(choice: choice, seconds: median, gflops: shape.flops / median / 1e9)
        }
    }

    // MARK: Pixel kernels

    /// The widths the pixel search tries (those the device's work-groups allow).
    public var pixelWidths: [Int] {
        [8, 16, 32, 64, 128].filter { $0 <= backend.device.maxWorkGroupSize }
    }

    /// Times the per-pixel kernels (im2col, max pooling forward and backward, for the cnn
    /// model at batch 128) at each width and returns the widths' seconds, fastest first.
    public func tunePixelWidth() throws -> [(width: Int, seconds: Double)] {
        let b = backend
        let conv = Conv2DGeometry(batch: 128, height: 13, width: 13, channels: 32, filters: 64,
                                  kernelHeight: 3, kernelWidth: 3)
        let pool = Pool2DGeometry(batch: 128, height: 26, width: 26, channels: 32)
        let image = try b.upload(Self.values(128 * 13 * 13 * 32, seed: 3), shape: [128, 13, 13, 32])
        let activations = try b.upload(Self.values(128 * 26 * 26 * 32, seed: 4), shape: [128, 26, 26, 32])
        let pooled = try b.zeros([128, 13, 13, 32], elementType: .float32)
        let gradient = try b.zeros([128, 26, 26, 32], elementType: .float32)
        let restore = b.pixelGroupWidth
        defer { b.pixelGroupWidth = restore }
        var results: [(width: Int, seconds: Double)] = []
        for width in pixelWidths {
            b.pixelGroupWidth = width
            let run = {
                _ = try b.patchMatrix(image, conv)
                try b.maxPool2d(activations, into: pooled, geometry: pool)
                try b.maxPool2dBackward(input: activations, output: pooled, outputGradient: pooled, into: gradient,
                                        geometry: pool, throughReLU: false)
            }
            try run()
            results.append((width, try measure(run)))
            progress("pixel kernels, work-groups of \(width): \(String(format: "%.2f", results.last!.seconds * 1e3)) ms")
        }
        return results.sorted { $0.seconds < $1.seconds }
    }

    // MARK: Patch and row kernels

    /// Times each patch gatherer (`Im2colKernel`) on the cnn models' two convolutions at batch
    /// 128, and each softmax row kernel (`RowKernel`) forward and backward on 1,024 rows of
    /// 1,000 columns (rows short of a work-group run one per work-item either way): two
    /// timings each, fastest first in each list.
    public func tunePatchAndRowKernels() throws -> (im2col: [(kernel: Im2colKernel, seconds: Double)],
                                                    rows: [(kernel: RowKernel, seconds: Double)]) {
        let b = backend
        let first = Conv2DGeometry(batch: 128, height: 28, width: 28, channels: 1, filters: 32, kernelHeight: 3, kernelWidth: 3)
        let second = Conv2DGeometry(batch: 128, height: 13, width: 13, channels: 32, filters: 64,
                                    kernelHeight: 3, kernelWidth: 3)
        let images = try [first, second].map { g in try b.upload(Self.values(g.inputShape.reduce(1, *), seed: 5), shape: g.inputShape) }
        let restore = (b.im2colKernel, b.rowKernel)
        defer { (b.im2colKernel, b.rowKernel) = restore }
        var im2col: [(kernel: Im2colKernel, seconds: Double)] = []
        for kernel in Im2colKernel.allCases {
            b.im2colKernel = kernel
            let run = {
                _ = try b.patchMatrix(images[0], first)
                _ = try b.patchMatrix(images[1], second)
            }
            try run()
            im2col.append((kernel, try measure(run)))
            progress("im2col \(kernel): \(String(format: "%.2f", im2col.last!.seconds * 1e3)) ms")
        }
        let logits = try b.upload(Self.values(1024 * 1000, seed: 6), shape: [1024, 1000])
        let probabilities = try b.zeros([1024, 1000], elementType: .float32)
        let gradient = try b.zeros([1024, 1000], elementType: .float32)
        var rows: [(kernel: RowKernel, seconds: Double)] = []
        for kernel in RowKernel.allCases {
            b.rowKernel = kernel
            let run = {
                try b.softmax(logits, into: probabilities)
                try b.softmaxBackward(probabilities: probabilities, probabilityGradient: logits, into: gradient)
            }
            try run()
            rows.append((kernel, try measure(run)))
            progress("softmax rows, a \(kernel) each: \(String(format: "%.2f", rows.last!.seconds * 1e3)) ms")
        }
        return (im2col.sorted { $0.seconds < $1.seconds }, rows.sorted { $0.seconds < $1.seconds })
    }

    // MARK: Timing

    /// Median seconds per call of `work` over `samples` samples, each of as many calls as make
    /// about `sampleSeconds` (estimated from one call).
    private func measure(samples: Int? = nil, _ work: () throws -> Void) throws -> Double {
        let once = try Self.seconds(calls: 1, work, backend: backend)
        let calls = max(1, min(1000, Int(sampleSeconds / max(once, 1e-6))))
        var times: [Double] = []
        for _ in 0..<(samples ?? self.samples) { times.append(try Self.seconds(calls: calls, work, backend: backend) / Double(calls)) }
        return Self.median(times)
    }

    private static func seconds(calls: Int, _ work: () throws -> Void, backend: OpenCLBackend) throws -> Double {
        try backend.synchronize()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<calls { try work() }
        try backend.synchronize()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// `count` values in [-1, 1] from a fixed seed.
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float.random(in: -1...1, using: &generator) }
    }
}

/// The operands of one tuned shape, on the device.
private struct GEMMBench {
    let backend: OpenCLBackend
    let a: Tensor, b: Tensor, c: Tensor

    init(backend: OpenCLBackend, shape: KernelTuner.Shape) throws {
        self.backend = backend
        a = try backend.upload(KernelTuner.values(shape.m * shape.k, seed: 1), shape: [shape.m, shape.k])
        b = try backend.upload(KernelTuner.values(shape.k * shape.n, seed: 2), shape: [shape.k, shape.n])
        c = try backend.zeros([shape.m, shape.n], elementType: .float32)
    }

    func run(_ choice: GEMMChoice) throws {
        try backend.gemm(a, b, into: c, transposeA: false, transposeB: false, alpha: 1, beta: 0, epilogue: .none,
                         choice: choice)
    }
}
