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
/// gives it. A sample's negative draws come from a SplitMix sequence seeded by a hash of (seed,
/// epoch, edge), and their pushes are summed from one position. The same seed gives the same
/// layout, bit for bit, on any number of threads.
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
        // Per edge: epochs between samples, and between negative samples; when each is next due.
        let perSample = graph.weights.map { $0 > 0 ? heaviest / $0 : -1 }
        let perNegative = perSample.map { $0 / Float(negativeSampleRate) }
        let schedule = Schedule(perSample: perSample, perNegative: perNegative)
        var snapshot = coordinates
        let key = SplitMix64.mix(seed &+ SplitMix64.gamma)
        let constants = Constants(a: a, b: b, gamma: repulsion, vertices: n)
        // Raw pointers for the epochs' inner loop: no bounds checks or reference counting per edge.
        let rowStart = graph.rowStart.map(Int32.init)
        rowStart.withUnsafeBufferPointer { rows in
            graph.columns.withUnsafeBufferPointer { columns in
                let rows = UncheckedPointer(UnsafeMutablePointer(mutating: rows.baseAddress!))
                let columns = UncheckedPointer(UnsafeMutablePointer(mutating: columns.baseAddress!))
                for epoch in 0..<epochs {
                    let alpha = learningRate * (1 - Float(epoch) / Float(epochs))
                    snapshot.withUnsafeMutableBufferPointer { old in
                        coordinates.withUnsafeMutableBufferPointer { new in
                            let old = UncheckedPointer(old.baseAddress!), new = UncheckedPointer(new.baseAddress!)
                            let epochState = Epoch(epoch: epoch, alpha: alpha, key: key, constants: constants, rows: rows.pointer,
                                                   columns: columns.pointer, schedule: schedule, old: old.pointer, new: new.pointer)
                            parallelRanges(n) { range in epochState.moveVertices(range) }
                        }
                    }
                    snapshot = coordinates
                }
            }
        }
    }

    /// The curve, the repulsion and the vertex count, for the inner loop.
    struct Constants: Sendable {
        let a: Float, b: Float, gamma: Float
        let vertices: Int
    }

    /// Each edge's sampling period and next due epoch, for samples and for negative samples, in
    /// buffers of its own that the epochs' threads share (each edge is touched by its row's thread only).
    final class Schedule: @unchecked Sendable {
        let perSample: UnsafeMutablePointer<Float>, perNegative: UnsafeMutablePointer<Float>
        let nextSample: UnsafeMutablePointer<Float>, nextNegative: UnsafeMutablePointer<Float>
        let count: Int

        init(perSample periods: [Float], perNegative negativePeriods: [Float]) {
            count = periods.count
            perSample = .allocate(capacity: count)
            perNegative = .allocate(capacity: count)
            nextSample = .allocate(capacity: count)
            nextNegative = .allocate(capacity: count)
            perSample.initialize(from: periods, count: count)
            nextSample.initialize(from: periods, count: count)
            perNegative.initialize(from: negativePeriods, count: count)
            nextNegative.initialize(from: negativePeriods, count: count)
        }

        deinit {
            for buffer in [perSample, perNegative, nextSample, nextNegative] { buffer.deallocate() }
        }
    }

    /// One epoch's shared inputs, and the moves of a range of vertices.
    struct Epoch: @unchecked Sendable {
        let now: Float, alpha: Float, epochKey: UInt64
        let constants: Constants
        let rows: UnsafeMutablePointer<Int32>, columns: UnsafeMutablePointer<Int32>
        let schedule: Schedule
        let old: UnsafeMutablePointer<Float>, new: UnsafeMutablePointer<Float>

        init(epoch: Int, alpha: Float, key: UInt64, constants: Constants, rows: UnsafeMutablePointer<Int32>,
             columns: UnsafeMutablePointer<Int32>, schedule: Schedule, old: UnsafeMutablePointer<Float>,
             new: UnsafeMutablePointer<Float>) {
            now = Float(epoch)
            self.alpha = alpha
            epochKey = SplitMix64.mix(key ^ UInt64(epoch))
            self.constants = constants
            self.rows = rows
            self.columns = columns
            self.schedule = schedule
            self.old = old
            self.new = new
        }

        /// Moves the vertices of `range`, two at a time, each one sample in turn: a vertex's
        /// samples form one chain (each starts where the last left it), so one vertex alone
        /// kept the processor waiting on the latency of its powers and divisions; two chains
        /// overlap. Each vertex's arithmetic is exactly what it is alone.
        func moveVertices(_ range: Range<Int>) {
            var i = range.lowerBound
            while i + 1 < range.upperBound {
                var first = Cursor(vertex: i, self), second = Cursor(vertex: i + 1, self)
                var firstMoving = true, secondMoving = true
                while firstMoving || secondMoving {
                    if firstMoving { firstMoving = sampleNext(&first) }
                    if secondMoving { secondMoving = sampleNext(&second) }
                }
                finish(first)
                finish(second)
                i += 2
            }
            if i < range.upperBound {
                var last = Cursor(vertex: i, self)
                while sampleNext(&last) {}
                finish(last)
            }
        }

        /// A vertex's position while its edges are sampled, and the next edge to look at.
        struct Cursor {
            let vertex: Int, end: Int
            var x: Float, y: Float
            var edge: Int

            @inline(__always)
            init(vertex i: Int, _ epoch: Epoch) {
                vertex = i
                edge = Int(epoch.rows[i])
                end = Int(epoch.rows[i + 1])
                x = epoch.new[2 * i]
                y = epoch.new[2 * i + 1]
            }
        }

        @inline(__always)
        func finish(_ cursor: Cursor) {
            new[2 * cursor.vertex] = cursor.x
            new[2 * cursor.vertex + 1] = cursor.y
        }

        /// The vertex's next edge that is due, if any: it pulls the vertex toward the edge's other
        /// end (twice: the edge's mirror is due at the same epochs) and pushes it away from that
        /// many negative samples. Reads other vertices from `old`. False when no edge is left.
        @inline(__always)
        func sampleNext(_ cursor: inout Cursor) -> Bool {
            while cursor.edge < cursor.end {
                let e = cursor.edge
                cursor.edge += 1
                let period = schedule.perSample[e]
                guard period > 0, schedule.nextSample[e] <= now else { continue }
                sample(e, &cursor.x, &cursor.y, vertex: cursor.vertex)
                return true
            }
            return false
        }

        @inline(__always)
        func sample(_ e: Int, _ x: inout Float, _ y: inout Float, vertex i: Int) {
            let c = constants
            let j = Int(columns[e])
            // The pull and the pushes are both computed from where the sample found the vertex
            // and applied together: independent, so the processor overlaps them, where pushing
            // from the pulled position made each sample one chain of two powers and two divisions
            // (umap-learn moves between them; with a learning rate at most 1 and every move
            // clipped to 4, the difference is second order, as for the pushes below).
            let dx = x - old[2 * j], dy = y - old[2 * j + 1]
            let d2 = dx * dx + dy * dy
            var pullX: Float = 0, pullY: Float = 0
            if d2 > 0 {
                let power = fastPower(d2, c.b)   // d^2b; d^(2b - 2) is power / d2
                let coefficient = -2 * c.a * c.b * (power / d2) / (c.a * power + 1)
                pullX = 2 * clip(coefficient * dx)
                pullY = 2 * clip(coefficient * dy)
            }
            schedule.nextSample[e] += schedule.perSample[e]
            let negativePeriod = schedule.perNegative[e]
            let draws = max(Int((now - schedule.nextNegative[e]) / negativePeriod), 0)
            // One hash per sample seeds the draws' own sequence: (seed, epoch, edge) -> vertices.
            var state = SplitMix64.mix(epochKey ^ UInt64(e))
            // The draws' pushes are computed from the same position and summed, each clipped as
            // umap-learn clips it, eight draws to a vector: independent lanes, where moving after
            // every draw made each wait for the last.
            var sumX = SIMD8<Float>(), sumY = SIMD8<Float>()
            var remaining = draws
            while remaining > 0 {
                // Lanes without a draw, and draws of the vertex itself, sit on it: no push.
                var otherX = SIMD8<Float>(repeating: x), otherY = SIMD8<Float>(repeating: y)
                for lane in 0..<min(8, remaining) {
                    state &+= SplitMix64.gamma
                    let k = vertex(SplitMix64.mix(state), vertices: c.vertices)
                    if k != i {
                        otherX[lane] = old[2 * k]
                        otherY[lane] = old[2 * k + 1]
                    }
                }
                remaining -= 8
                let ndx = x - otherX, ndy = y - otherY
                let nd2 = ndx * ndx + ndy * ndy
                let coefficient = 2 * c.gamma * c.b / ((0.001 + nd2) * (c.a * fastPower(nd2, c.b) + 1))
                let apart = nd2 .> 0
                sumX += clip(coefficient * ndx).replacing(with: 0, where: .!apart)
                sumY += clip(coefficient * ndy).replacing(with: 0, where: .!apart)
            }
            x += (pullX + laneSum(sumX)) * alpha
            y += (pullY + laneSum(sumY)) * alpha
            schedule.nextNegative[e] += Float(draws) * negativePeriod
        }
    }

    @inline(__always)
    static func clip(_ value: Float) -> Float { min(max(value, -4), 4) }

    @inline(__always)
    static func clip(_ value: SIMD8<Float>) -> SIMD8<Float> {
        let low = value.replacing(with: -4, where: value .< -4)
        return low.replacing(with: 4, where: low .> 4)
    }

    /// The eight lanes' sum, halving (lanes 0-3 plus 4-7, and so on): a fixed order.
    @inline(__always)
    static func laneSum(_ v: SIMD8<Float>) -> Float {
        let four = v.lowHalf + v.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }

    /// A vertex uniform over `vertices` from 64 random bits (the high 32, scaled: Lemire's
    /// multiply-shift, parenthesized because in Swift >> binds tighter than *).
    @inline(__always)
    static func vertex(_ bits: UInt64, vertices: Int) -> Int {
        Int(((bits >> 32) &* UInt64(vertices)) >> 32)
    }
}
