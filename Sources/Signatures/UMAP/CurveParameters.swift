import Foundation

/// The (a, b) of UMAP's low-dimensional similarity `1 / (1 + a d^(2b))`, fitted as umap-learn's
/// `find_ab_params` fits them: least squares against `1` below `minDist` and
/// `exp(-(d - minDist) / spread)` above, on 300 points of `[0, 3 spread]`, from (1, 1), by
/// Levenberg-Marquardt (scipy's `curve_fit`). For min_dist 0.1, spread 1: a = 1.5769, b = 0.8951.
struct CurveParameters: Equatable {
    let a: Double
    let b: Double

    init(minDist: Double, spread: Double) {
        let xs = (0..<300).map { Double($0) * 3 * spread / 299 }
        let ys = xs.map { $0 < minDist ? 1 : exp(-($0 - minDist) / spread) }
        var a = 1.0, b = 1.0, damping = 1e-3
        func residuals(_ a: Double, _ b: Double) -> Double {
            zip(xs, ys).reduce(0) { sum, point in
                let r = 1 / (1 + a * pow(point.0, 2 * b)) - point.1
                return sum + r * r
            }
        }
        var cost = residuals(a, b)
        for _ in 0..<200 {
            // Normal equations of the 2-parameter model, J^T J and J^T r.
            var jaa = 0.0, jab = 0.0, jbb = 0.0, ga = 0.0, gb = 0.0
            for (x, y) in zip(xs, ys) {
                let power = x > 0 ? pow(x, 2 * b) : 0
                let model = 1 / (1 + a * power)
                let common = -model * model
                let da = common * power
                let db = x > 0 ? common * a * power * 2 * log(x) : 0
                let r = model - y
                jaa += da * da; jab += da * db; jbb += db * db
                ga += da * r; gb += db * r
            }
            var improved = false
            while damping < 1e12 {
                let maa = jaa * (1 + damping), mbb = jbb * (1 + damping)
                let determinant = maa * mbb - jab * jab
                guard determinant != 0 else { damping *= 10; continue }
                let stepA = -(mbb * ga - jab * gb) / determinant
                let stepB = -(maa * gb - jab * ga) / determinant
                let trial = residuals(a + stepA, b + stepB)
                if trial < cost {
                    let relative = (cost - trial) / max(cost, 1e-300)
                    a += stepA; b += stepB; cost = trial
                    damping = max(damping / 10, 1e-12)
                    improved = relative > 1e-15
                    break
                }
                damping *= 10
            }
            if !improved { break }
        }
        self.a = a
        self.b = b
    }
}
