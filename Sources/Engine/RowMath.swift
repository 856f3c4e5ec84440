#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Row-wise math of softmax and the losses: one row of `columns` values at a time.
/// The CPU backend runs it directly; `Kernels/loss.cl` and `elementwise.cl` say the same in C.
enum RowMath {
    static func softmax(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ columns: Int) {
        guard columns > 0 else { return }
        var largest = -Float.infinity
        for c in 0..<columns { largest = max(largest, x[c]) }
        var sum: Float = 0
        for c in 0..<columns {
            let e = expf(x[c] - largest)
            y[c] = e
            sum += e
        }
        let inverse = 1 / sum
        for c in 0..<columns { y[c] *= inverse }
    }

    /// The index of the row's largest value; the first one on ties, NaN never wins.
    static func argmax(_ x: UnsafePointer<Float>, _ columns: Int) -> Int {
        var best = 0
        for c in 1..<max(columns, 1) where x[c] > x[best] { best = c }
        return best
    }

    static func softmaxBackward(_ p: UnsafePointer<Float>, _ dp: UnsafePointer<Float>,
                                _ dz: UnsafeMutablePointer<Float>, _ columns: Int) {
        var dot: Float = 0
        for c in 0..<columns { dot += dp[c] * p[c] }
        for c in 0..<columns { dz[c] = p[c] * (dp[c] - dot) }
    }

    static func loss(_ loss: Loss, _ p: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ columns: Int) -> Float {
        switch loss {
        case .categoricalCrossEntropy:
            // Keras: p / sum(p), clipped to [eps, 1 - eps], then -sum(y * log p).
            var total: Float = 0
            for c in 0..<columns { total += p[c] }
            var sum: Float = 0
            for c in 0..<columns where y[c] != 0 {
                let clipped = min(max(p[c] / total, Loss.epsilon), 1 - Loss.epsilon)
                sum -= y[c] * logf(clipped)
            }
            return sum
        case .meanSquaredError:
            var sum: Float = 0
            for c in 0..<columns {
                let d = p[c] - y[c]
                sum += d * d
            }
            return sum / Float(columns)
        }
    }

    /// The gradient of (this row's loss * `batchScale`), `batchScale` being 1 / batch.
    static func lossGradient(_ loss: Loss, _ target: LossGradientTarget, _ p: UnsafePointer<Float>,
                             _ y: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>,
                             _ columns: Int, _ batchScale: Float) {
        switch (loss, target) {
        case (.categoricalCrossEntropy, .logits):
            // d/dz of -sum(y log softmax(z)) = p * sum(y) - y.
            var targetSum: Float = 0
            for c in 0..<columns { targetSum += y[c] }
            for c in 0..<columns { g[c] = (p[c] * targetSum - y[c]) * batchScale }
        case (.categoricalCrossEntropy, .predictions):
            // -y / p inside the clip range; the clip's gradient is 0 outside it.
            for c in 0..<columns {
                let inside = p[c] > Loss.epsilon && p[c] < 1 - Loss.epsilon
                g[c] = inside ? -y[c] / p[c] * batchScale : 0
            }
        case (.meanSquaredError, .predictions):
            let factor = 2 * batchScale / Float(columns)
            for c in 0..<columns { g[c] = factor * (p[c] - y[c]) }
        case (.meanSquaredError, .logits):
            let factor = 2 * batchScale / Float(columns)
            var dot: Float = 0
            for c in 0..<columns { dot += factor * (p[c] - y[c]) * p[c] }
            for c in 0..<columns { g[c] = p[c] * (factor * (p[c] - y[c]) - dot) }
        }
    }
}
