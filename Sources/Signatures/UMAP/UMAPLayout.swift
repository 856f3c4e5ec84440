import Foundation
import SplitMix

/// umap-learn's stochastic layout (`optimize_layout_euclidean`), made parallel and repeatable.
///
/// Each edge is sampled every `max weight / weight` epochs; a sample pulls its two ends together
/// with the gradient of `log(1 / (1 + a d^2b))` and pushes the head away from 5 random vertices
/// per sample, every gradient clipped to [-4, 4], the learning rate falling linearly to 0.
///
/// umap-learn applies each sample at once to both ends, in edge order, so a seeded run must be
/// single-threaded. Here every epoch reads the other vertices' positions as the epoch began and
/// moves only the edge's head: rows are split into fixed ranges, one thread each, and nothing a
/// thread writes is read by another within the epoch. The graph is symmetric, so edge (j, i) is
/// sampled with (i, j): the head takes the attraction twice, as umap-learn's pull of both ends
/// gives it. Negative samples come from a counter-based hash of (seed, epoch, edge, draw). The
/// same seed gives the same layout, bit for bit, on any number of threads.
struct UMAPLayout {
    let graph: SparseGraph
    let epochs: Int
    let a: Float, b: Float
    let negativeSampleRate: Int
    let seed: UInt64
    /// umap-learn's `gamma`: the weight of the repulsion.
    let repulsion: Float = 1
    let learningRate: Float = 1

    /// Runs every epoch on `coordinates` (`n x 2`, already scaled to [0, 10]).
    func optimize(_ coordinates: inout [Float]) {
        let edges = graph.edgeCount, n = graph.vertices
        guard edges > 0, let heaviest = graph.weights.max(), heaviest > 0 else { return }
        let perSample = graph.weights.map { $0 > 0 ? heaviest / $0 : -1 }
        var nextSample = perSample
        let perNegative = perSample.map { $0 / Float(negativeSampleRate) }
        var nextNegative = perNegative
        var snapshot = coordinates
        let key = SplitMix64.mix(seed &+ SplitMix64.gamma)
        let (a, b, gamma) = (self.a, self.b, repulsion)
        for epoch in 0..<epochs {
            let alpha = learningRate * (1 - Float(epoch) / Float(epochs))
            snapshot.withUnsafeMutableBufferPointer { old in
                let old = UncheckedPointer(old.baseAddress!)
                coordinates.withUnsafeMutableBufferPointer { new in
                    let new = UncheckedPointer(new.baseAddress!)
                    nextSample.withUnsafeMutableBufferPointer { next in
                        let next = UncheckedPointer(next.baseAddress!)
                        nextNegative.withUnsafeMutableBufferPointer { negative in
                            let negative = UncheckedPointer(negative.baseAddress!)
                            parallelRanges(n) { rows in
                                for i in rows {
                                    var x = new.pointer[2 * i], y = new.pointer[2 * i + 1]
                                    for e in graph.rowStart[i]..<graph.rowStart[i + 1] where perSample[e] > 0 && next.pointer[e] <= Float(epoch) {
                                        let j = Int(graph.columns[e])
                                        let dx = x - old.pointer[2 * j], dy = y - old.pointer[2 * j + 1]
                                        let d2 = dx * dx + dy * dy
                                        if d2 > 0 {
                                            let power = fastPower(d2, b)   // d^2b; d^(2b - 2) is power / d2
                                            let coefficient = -2 * a * b * (power / d2) / (a * power + 1)
                                            x += 2 * Self.clip(coefficient * dx) * alpha
                                            y += 2 * Self.clip(coefficient * dy) * alpha
                                        }
                                        next.pointer[e] += perSample[e]
                                        let draws = Int((Float(epoch) - negative.pointer[e]) / perNegative[e])
                                        for draw in 0..<max(draws, 0) {
                                            let k = Self.vertex(key: key, epoch: epoch, edge: e, draw: draw, vertices: n)
                                            let ox = k == i ? x : old.pointer[2 * k], oy = k == i ? y : old.pointer[2 * k + 1]
                                            let ndx = x - ox, ndy = y - oy
                                            let nd2 = ndx * ndx + ndy * ndy
                                            guard nd2 > 0 else { continue }
                                            let coefficient = 2 * gamma * b / ((0.001 + nd2) * (a * fastPower(nd2, b) + 1))
                                            x += Self.clip(coefficient * ndx) * alpha
                                            y += Self.clip(coefficient * ndy) * alpha
                                        }
                                        negative.pointer[e] += Float(max(draws, 0)) * perNegative[e]
                                    }
                                    new.pointer[2 * i] = x
                                    new.pointer[2 * i + 1] = y
                                }
                            }
                        }
                    }
                }
            }
            snapshot = coordinates
        }
    }

    @inline(__always)
    static func clip(_ value: Float) -> Float { min(max(value, -4), 4) }

    /// The vertex of one negative draw: a hash of (key, epoch, edge, draw), uniform over `vertices`.
    @inline(__always)
    static func vertex(key: UInt64, epoch: Int, edge: Int, draw: Int, vertices: Int) -> Int {
        let bits = SplitMix64.mix(SplitMix64.mix(SplitMix64.mix(key ^ UInt64(epoch)) ^ UInt64(edge)) ^ UInt64(draw))
        // Parenthesized: in Swift, >> binds tighter than *.
        return Int(((bits >> 32) * UInt64(vertices)) >> 32)
    }
}
