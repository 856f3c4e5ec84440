@testable import Engine
import Testing

/// `kNearest` on the CPU (both builds of its scan: the AVX-512 loops and the Engine's own) and on
/// both OpenCL kernels (packed, for CPU devices; local, for GPUs; both run on whatever device the
/// tests have), against a float64 brute force from the
/// differences and against each other: n in {1, 2, 7, 65, 257, 1000, 2000}, d in {1, 3, 32, 65,
/// 130}, k in {1, 5, 15, 64, n - 1 with self left out}, with and without `selfOffset`, queries
/// that are every point or a middle block of them, tiles that do not divide n.
///
/// Tolerances: a float32 squared distance by the Gram formula errs by about
/// `eps * (|q|^2 + |p|^2)` per rounding (coordinates in [-1, 1): norms up to d), so squared
/// distances get `1e-6 * (d + 1)` absolute. An index must be the reference's exactly unless the
/// reference's squared distance at that rank is within twice that of the rank beside it (a
/// near-tie the float32 formula cannot order); then it must still be a neighbour whose exact
/// distance is that rank's to within the tolerance. From the same norms, the backends compute
/// the same float32 squared distances, so their indices must agree exactly, near-ties included.
@Suite("k nearest neighbours, OpenCL and CPU against float64", .serialized)
struct NeighborParityTests {
    let cpu: CPUBackend
    let narrowCPU: CPUBackend
    let packed: OpenCLBackend
    let local: OpenCLBackend

    init() throws {
        cpu = TestBackends.cpu()
        narrowCPU = CPUBackend(avx512Loops: false)
        packed = try TestBackends.openCL()
        packed.neighborKernel = .packed
        local = try TestBackends.openCL()
        local.neighborKernel = .local
    }

    var backends: [(name: String, backend: any Backend)] {
        [("cpu", cpu), ("cpu without AVX-512 loops", narrowCPU), ("opencl packed", packed), ("opencl local", local)]
    }

    /// Debug builds compile the AVX-512 loops for the base target, so the tests run both scans
    /// on any machine; a release build takes them only where the processor has AVX-512.
    @Test func theTwoCPUScansAreBothRun() {
        #expect(cpu.usesAVX512Loops == HostProcessor.prefersAVX512Loops)
        #expect(!narrowCPU.usesAVX512Loops)
    }

    /// (n, d, k, query rows, selfOffset).
    static let cases: [NeighborCase] = [
        NeighborCase(n: 1, d: 3, k: 1),
        NeighborCase(n: 2, d: 1, k: 1, selfOffset: 0),
        NeighborCase(n: 2, d: 65, k: 2),
        NeighborCase(n: 7, d: 3, k: 5),
        NeighborCase(n: 7, d: 32, k: 6, selfOffset: 0),
        NeighborCase(n: 65, d: 3, k: 64, selfOffset: 0),
        NeighborCase(n: 257, d: 32, k: 15, selfOffset: 0),
        NeighborCase(n: 257, d: 65, k: 5),
        NeighborCase(n: 257, d: 1, k: 15, selfOffset: 0),
        NeighborCase(n: 1000, d: 65, k: 15, selfOffset: 0),
        NeighborCase(n: 1000, d: 3, k: 1, selfOffset: 0),
        NeighborCase(n: 1000, d: 32, k: 5, rows: 300..<700, selfOffset: 300),
        NeighborCase(n: 1000, d: 65, k: 15, rows: 333..<345),
        NeighborCase(n: 2000, d: 32, k: 15, selfOffset: 0),
        NeighborCase(n: 2000, d: 1, k: 5, rows: 1000..<1500, selfOffset: 1000),
        NeighborCase(n: 1100, d: 130, k: 15, rows: 17..<1100, selfOffset: 17),
    ]

    @Test(arguments: cases)
    func againstTheReferenceAndEachOther(_ c: NeighborCase) throws {
        let points = TestData.values(c.n * c.d, seed: 70 + UInt64(c.n + c.d))
        // The same norms for every backend (the CPU's), so that their float32 distances agree.
        let norms = try normsOnCPU(points, c)
        let reference = NeighborReference(points: points, d: c.d), rankings = reference.rankings(c)
        var results: [NeighborLists] = []
        for (name, backend) in backends {
            let lists = try run(backend, points: points, c, norms: norms)
            results.append(lists)
            let failures = reference.failures(lists, c, rankings)
            #expect(failures.isEmpty, "\(name) \(c): \(failures.count) failures, first \(failures.prefix(3))")
        }
        for (index, (name, _)) in backends.enumerated().dropFirst() {
            #expect(results[index].indices == results[0].indices, "\(name) vs cpu \(c): indices")
            #expect(worstError(results[index].distances, results[0].distances, absolute: 1e-6, relative: 1e-6) <= 1,
                    "\(name) vs cpu \(c): distances")
        }
        // With its own norms, a device is still right to within rounding.
        let own = try run(packed, points: points, c, norms: nil)
        let failures = reference.failures(own, c, rankings)
        #expect(failures.isEmpty, "opencl, own norms \(c): \(failures.count) failures, first \(failures.prefix(3))")
    }

    /// The UMAP use: the queries are the points in blocks. Each block's lists are the rows of the
    /// all-points lists, bit for bit, on every backend.
    @Test func blocksOfQueriesGiveTheRowsOfTheWhole() throws {
        let n = 1000, d = 17, k = 14
        let points = TestData.values(n * d, seed: 90)
        let whole = NeighborCase(n: n, d: d, k: k, selfOffset: 0)
        let norms = try normsOnCPU(points, whole)
        for (name, backend) in backends {
            let all = try run(backend, points: points, whole, norms: norms)
            for rows in [0..<333, 333..<334, 334..<1000] {
                let block = try run(backend, points: points, NeighborCase(n: n, d: d, k: k, rows: rows, selfOffset: rows.lowerBound),
                                    norms: norms)
                #expect(block.indices == Array(all.indices[rows.lowerBound * k..<rows.upperBound * k]), "\(name) rows \(rows)")
                #expect(block.distances == Array(all.distances[rows.lowerBound * k..<rows.upperBound * k]), "\(name) rows \(rows)")
            }
        }
    }

    /// The queries as the points' own tensor: the CPU backend's symmetric scan (each distance
    /// once, for both lists, in rounds of block pairs) gives the lists of the one-sided scan, bit
    /// for bit, on both builds of its loops; and so does every other backend given one tensor.
    /// Shapes around the scan's 256-point blocks (one, an odd count, a short last block),
    /// duplicates spread over the blocks (ties across them), and a NaN point.
    @Test(arguments: [(2, 1, 1), (7, 32, 6), (256, 5, 15), (257, 65, 15), (769, 3, 64), (1000, 17, 14),
                      (2000, 32, 15)] as [(Int, Int, Int)])
    func oneTensorGivesTheOneSidedLists(_ shape: (n: Int, d: Int, k: Int)) throws {
        let (n, d, k) = shape
        var points = TestData.values(n * d, seed: 96 + UInt64(n))
        // Every seventh point copies one from another block; one point is NaN.
        for i in stride(from: 3, to: n, by: 7) {
            let source = (i * 131 + 17) % n
            for p in 0..<d { points[i * d + p] = points[source * d + p] }
        }
        if n > 100 { points[(n / 2) * d] = .nan }
        let c = NeighborCase(n: n, d: d, k: k, selfOffset: 0)
        let norms = try normsOnCPU(points, c)
        let oneSided = try run(cpu, points: points, c, norms: norms)
        for (name, backend) in backends {
            let lists = try run(backend, points: points, c, norms: norms, sameTensor: true)
            let wrong = (0..<n * k).filter { lists.indices[$0] != oneSided.indices[$0] }
            #expect(wrong.isEmpty, "\(name), \(c): \(wrong.count) indices differ from the one-sided scan's, first \(wrong.prefix(3))")
            #expect(lists.distances == oneSided.distances, "\(name), \(c): distances")
        }
    }

    /// The symmetric scan's schedule: every pair of blocks exactly once, no block twice in a round.
    @Test(arguments: [1, 2, 3, 4, 5, 16, 17, 274])
    func blockRoundsPairEveryBlockOnce(blocks: Int) {
        let rounds = CPUBackend.blockRounds(blocks)
        var seen: [Int: Int] = [:]
        for round in rounds {
            let members = round.flatMap { [$0.0, $0.1] }
            #expect(Set(members).count == round.count * 2 - round.filter { $0.0 == $0.1 }.count, "\(blocks) blocks: a block twice in a round")
            for (a, b) in round {
                #expect(a <= b && b < blocks)
                seen[a * blocks + b, default: 0] += 1
            }
        }
        #expect(seen.count == blocks * (blocks + 1) / 2 && seen.values.allSatisfy { $0 == 1 }, "\(blocks) blocks")
    }

    /// Exact duplicates tie exactly: the lower index first, on every backend, across panels and
    /// tiles (every distinct row has five copies spread over the whole range), with the query's
    /// own row left out or kept (then it is first among its copies only by its index).
    @Test(arguments: [0, nil] as [Int?])
    func duplicatesTieToTheLowerIndex(selfOffset: Int?) throws {
        let distinct = 220, n = 1100, d = 130, k = 15
        let rows = TestData.values(distinct * d, seed: 91)
        var points: [Float] = []
        for i in 0..<n {
            let source = i * 37 % distinct
            points += rows[source * d..<(source + 1) * d]
        }
        let c = NeighborCase(n: n, d: d, k: k, selfOffset: selfOffset)
        let reference = NeighborReference(points: points, d: d)
        var expected: [Int32] = []
        for i in 0..<n {
            expected += reference.ranked(query: i, excluding: selfOffset == nil ? nil : i, count: k).map { Int32($0.index) }
        }
        for (name, backend) in backends {
            let lists = try run(backend, points: points, c, norms: nil)
            let wrong = (0..<n * k).filter { lists.indices[$0] != expected[$0] }
            let first = wrong.first.map { "query \($0 / k), rank \($0 % k)" } ?? "none"
            #expect(wrong.isEmpty, "\(name): \(wrong.count) indices differ, first at \(first)")
            // A query's copies (and with self kept, the query) come first, all at one distance:
            // 0 to within the formula's rounding (norms and products round apart).
            let copies = selfOffset == nil ? 5 : 4, tolerance = Float(1e-6 * Double(d + 1))
            let near = (0..<n).allSatisfy { i in
                (0..<copies).allSatisfy { lists.distances[i * k + $0] == lists.distances[i * k] }
                    && lists.distances[i * k] * lists.distances[i * k] <= tolerance
            }
            #expect(near, "\(name): copies first, at one distance near 0")
        }
    }

    /// Every point identical: one distance everywhere (0 to within the formula's rounding), and
    /// the lists are simply the lowest indices.
    @Test func identicalPointsListTheLowestIndices() throws {
        let n = 100, d = 9, k = 7
        let points = (0..<n).flatMap { _ in TestData.values(d, seed: 92, in: 3..<4) }
        for (name, backend) in backends {
            for selfOffset in [0, nil] as [Int?] {
                let lists = try run(backend, points: points, NeighborCase(n: n, d: d, k: k, selfOffset: selfOffset), norms: nil)
                let expected = (0..<n).flatMap { i in (0..<n).filter { selfOffset == nil || $0 != i }.prefix(k).map(Int32.init) }
                #expect(lists.indices == expected, "\(name) self \(selfOffset as Any)")
                let first = lists.distances[0]
                #expect(lists.distances.allSatisfy { $0 == first } && first * first <= 1e-5, "\(name) self \(selfOffset as Any)")
            }
        }
    }

    /// A point with a NaN coordinate (either sign: the scans test candidates by bit pattern) is
    /// nearer than nothing: it enters no list, its own list stays empty (index -1, distance
    /// +infinity), and every other list is the one it would be without it.
    @Test func notANumberNeverEnters() throws {
        let n = 300, d = 5, k = 9, poisoned = [7, 150, 200]
        var points = TestData.values(n * d, seed: 95), far = points
        points[7 * d + 2] = .nan
        points[150 * d] = -.nan
        points[200 * d + 4] = Float(bitPattern: 0xFFC0_0001)
        for i in poisoned { for p in 0..<d { far[i * d + p] = 1000 } }
        let c = NeighborCase(n: n, d: d, k: k, selfOffset: 0)
        let expected = try run(cpu, points: far, c, norms: nil)
        for (name, backend) in backends {
            let lists = try run(backend, points: points, c, norms: nil)
            for i in 0..<n {
                let row = i * k..<(i + 1) * k
                if poisoned.contains(i) {
                    #expect(lists.indices[row].allSatisfy { $0 == -1 } && lists.distances[row].allSatisfy { $0 == .infinity },
                            "\(name): the list of NaN point \(i)")
                } else {
                    #expect(lists.indices[row] == expected.indices[row], "\(name): the list of point \(i)")
                }
            }
        }
    }

    @Test func rejectsWrongOperands() throws {
        for (name, backend) in backends {
            let points = try backend.zeros([5, 3]), norms = try backend.zeros([5])
            func call(k: Int, selfOffset: Int? = 0, queries: Tensor? = nil, queryNorms: Tensor? = nil, indices: Tensor? = nil,
                      distances: Tensor? = nil) throws {
                let q = queries ?? points, m = q.shape[0]
                try backend.kNearest(queries: q, queryNorms: queryNorms ?? norms, points: points, pointNorms: norms, k: k,
                                     selfOffset: selfOffset, indices: indices ?? backend.zeros([m, k], elementType: .int32),
                                     distances: distances ?? backend.zeros([m, k]))
            }
            try call(k: 4)
            try call(k: 5, selfOffset: nil)
            #expect(throws: EngineError.self, "\(name): k 0") { try call(k: 0) }
            #expect(throws: EngineError.self, "\(name): k n with self left out") { try call(k: 5) }
            #expect(throws: EngineError.self, "\(name): k n + 1") { try call(k: 6, selfOffset: nil) }
            #expect(throws: EngineError.self, "\(name): self block past the points") {
                try call(k: 2, selfOffset: 3, queries: backend.zeros([3, 3]), queryNorms: backend.zeros([3]))
            }
            #expect(throws: EngineError.self, "\(name): negative self offset") { try call(k: 2, selfOffset: -1) }
            #expect(throws: EngineError.self, "\(name): columns") {
                try call(k: 2, selfOffset: nil, queries: backend.zeros([2, 4]), queryNorms: backend.zeros([2]))
            }
            #expect(throws: EngineError.self, "\(name): query norms") { try call(k: 2, queryNorms: backend.zeros([4])) }
            #expect(throws: EngineError.self, "\(name): output shape") { try call(k: 2, indices: backend.zeros([5, 3], elementType: .int32)) }
            #expect(throws: EngineError.elementTypeMismatch(operation: "kNearest", expected: .int32, actual: .float32), "\(name)") {
                try call(k: 2, indices: backend.zeros([5, 2]))
            }
            let many = try backend.zeros([70, 3]), manyNorms = try backend.zeros([70])
            #expect(throws: EngineError.self, "\(name): k above 64") {
                try backend.kNearest(queries: many, queryNorms: manyNorms, points: many, pointNorms: manyNorms, k: 65, selfOffset: nil,
                                     indices: backend.zeros([70, 65], elementType: .int32), distances: backend.zeros([70, 65]))
            }
        }
    }

    // MARK: Helpers

    private func normsOnCPU(_ points: [Float], _ c: NeighborCase) throws -> [Float] {
        let norms = try cpu.zeros([c.n])
        try cpu.rowSquaredNorms(cpu.upload(points, shape: [c.n, c.d]), into: norms)
        return try cpu.read(norms)
    }

    /// Runs one case: the queries are rows `c.rows` of the points, with `norms` (all the points')
    /// when given, else the backend's own; the outputs start as seeded noise. With `sameTensor`
    /// (every point a query, itself left out), the queries are the points' own tensors, which
    /// the CPU backend scans symmetrically; else copies of them.
    private func run(_ backend: any Backend, points: [Float], _ c: NeighborCase, norms: [Float]?,
                     sameTensor: Bool = false) throws -> NeighborLists {
        let m = c.rows.count, d = c.d
        precondition(!sameTensor || (c.rows == 0..<c.n && c.selfOffset == 0), "one tensor needs every point, self left out")
        let p = try backend.upload(points, shape: [c.n, d])
        let pointNorms = try backend.zeros([c.n])
        let queries = sameTensor ? p : try backend.upload(Array(points[c.rows.lowerBound * d..<c.rows.upperBound * d]), shape: [m, d])
        let queryNorms = sameTensor ? pointNorms : try backend.zeros([m])
        if let norms {
            try backend.write(norms, to: pointNorms)
            if !sameTensor { try backend.write(Array(norms[c.rows]), to: queryNorms) }
        } else {
            try backend.rowSquaredNorms(p, into: pointNorms)
            if !sameTensor { try backend.rowSquaredNorms(queries, into: queryNorms) }
        }
        let indices = try backend.uploadIntegers(seededLabels(m * c.k, k: 1000, seed: 93), shape: [m, c.k])
        let distances = try backend.upload(TestData.values(m * c.k, seed: 94), shape: [m, c.k])
        try backend.kNearest(queries: queries, queryNorms: queryNorms, points: p, pointNorms: pointNorms, k: c.k,
                             selfOffset: c.selfOffset, indices: indices, distances: distances)
        return NeighborLists(indices: try backend.readIntegers(indices), distances: try backend.read(distances))
    }
}

/// One shape of `kNearest`: the queries are rows `rows` of the `n x d` points (all of them
/// unless told), each left out of its own list when `selfOffset` is given.
struct NeighborCase: CustomStringConvertible, Sendable {
    var n: Int, d: Int, k: Int, rows: Range<Int>, selfOffset: Int?

    init(n: Int, d: Int, k: Int, rows: Range<Int>? = nil, selfOffset: Int? = nil) {
        self.n = n
        self.d = d
        self.k = k
        self.rows = rows ?? 0..<n
        self.selfOffset = selfOffset
    }

    var description: String {
        "n \(n), d \(d), k \(k), queries \(rows)" + (selfOffset.map { ", self left out (offset \($0))" } ?? "")
    }
}

/// What `kNearest` wrote: `[m, k]` indices and Euclidean distances.
struct NeighborLists: Equatable {
    var indices: [Int32]
    var distances: [Float]
}

/// The float64 brute force: every candidate's squared distance from the differences, ranked by
/// (distance, index).
struct NeighborReference {
    let points: [Float]
    let d: Int

    func squaredDistance(_ i: Int, _ j: Int) -> Double {
        points.withUnsafeBufferPointer { p in
            var sum = 0.0
            for c in 0..<d {
                let difference = Double(p[i * d + c]) - Double(p[j * d + c])
                sum += difference * difference
            }
            return sum
        }
    }

    /// The `count` nearest candidates of point `query` (all but `excluding`), ranked by
    /// (distance, index): one pass over the points, keeping the best `count` by insertion.
    func ranked(query: Int, excluding: Int?, count: Int) -> [(distance: Double, index: Int)] {
        let n = points.count / max(d, 1)
        var best: [(distance: Double, index: Int)] = []
        best.reserveCapacity(count + 1)
        points.withUnsafeBufferPointer { p in
            for j in 0..<n where j != excluding {
                var sum = 0.0
                for c in 0..<d {
                    let difference = Double(p[query * d + c]) - Double(p[j * d + c])
                    sum += difference * difference
                }
                // Candidates come in index order: a tie goes after the entries already kept.
                guard best.count < count || sum < best[best.count - 1].distance else { continue }
                var position = best.count
                while position > 0 && best[position - 1].distance > sum { position -= 1 }
                best.insert((sum, j), at: position)
                if best.count > count { best.removeLast() }
            }
        }
        return best
    }

    /// The first `k + 1` of every query's ranking (one more than kept: the near-tie at rank k - 1).
    func rankings(_ c: NeighborCase) -> [[(distance: Double, index: Int)]] {
        c.rows.map { ranked(query: $0, excluding: c.selfOffset == nil ? nil : $0, count: c.k + 1) }
    }

    /// What is wrong with `lists` for case `c` (its `rankings`), one line per fault.
    func failures(_ lists: NeighborLists, _ c: NeighborCase, _ rankings: [[(distance: Double, index: Int)]]) -> [String] {
        let k = c.k, tolerance = 1e-6 * Double(d + 1)
        var faults: [String] = []
        guard lists.indices.count == c.rows.count * k, lists.distances.count == c.rows.count * k else { return ["output sizes"] }
        for (position, query) in c.rows.enumerated() {
            let excluded = c.selfOffset == nil ? nil : query
            let ranking = rankings[position]
            let chosen = (0..<k).map { Int(lists.indices[position * k + $0]) }
            guard Set(chosen).count == k, chosen.allSatisfy({ (0..<c.n).contains($0) && $0 != excluded }) else {
                faults.append("query \(query): indices \(chosen)")
                continue
            }
            for rank in 0..<k {
                let expected = ranking[rank].distance, j = chosen[rank]
                let exact = squaredDistance(query, j)
                let distance = Double(lists.distances[position * k + rank])
                if rank > 0, lists.distances[position * k + rank] < lists.distances[position * k + rank - 1] {
                    faults.append("query \(query) rank \(rank): distances not ascending")
                }
                if abs(exact - expected) > 2 * tolerance || abs(distance * distance - expected) > tolerance {
                    faults.append("query \(query) rank \(rank): point \(j) at \(exact) (reported \(distance * distance)), expected \(expected)")
                }
                let nearTie = (rank > 0 && expected - ranking[rank - 1].distance <= 2 * tolerance)
                    || (rank + 1 < ranking.count && ranking[rank + 1].distance - expected <= 2 * tolerance)
                if !nearTie && j != ranking[rank].index {
                    faults.append("query \(query) rank \(rank): point \(j), expected \(ranking[rank].index)")
                }
            }
        }
        return faults
    }
}
