import Engine
import Foundation

/// umap-learn's spectral initialization: the eigenvectors of the normalized Laplacian
/// `I - D^-1/2 W D^-1/2` with the 2nd and 3rd smallest eigenvalues, i.e. of
/// `M = D^-1/2 W D^-1/2` with the 2nd and 3rd largest. The largest, `sqrt(degree)`, is known and
/// deflated; a Lanczos iteration with full reorthogonalization (in float64, on the host: sparse
/// products over the graph's rows, threaded) finds the next ones, as scipy's `eigsh` does for
/// umap-learn. Then scaled to 10 at most, with normal noise of 1e-4, as umap-learn.
enum SpectralInitialization {
    /// Lanczos steps for `n` vertices: about sqrt(n), scipy's `ncv` for umap-learn, at least 30
    /// and at most 120 (enough for the two wanted Ritz pairs of a 70,000-vertex graph).
    static func steps(for n: Int) -> Int { min(n - 1, min(120, max(30, Int(Double(n).squareRoot())))) }

    /// The initial `n x 2` coordinates, or nil when the graph is not connected (a disconnected
    /// graph has several eigenvalues 1, and umap-learn lays its components out separately).
    static func coordinates(_ graph: SparseGraph, generator: inout SeededGenerator) -> [Float]? {
        let n = graph.vertices
        guard n >= 4, graph.components().count == 1 else { return nil }
        var degree = [Double](repeating: 0, count: n)
        for i in 0..<n {
            for edge in graph.rowStart[i]..<graph.rowStart[i + 1] { degree[i] += Double(graph.weights[edge]) }
        }
        guard degree.allSatisfy({ $0 > 0 }) else { return nil }
        let inverseRoot = degree.map { 1 / $0.squareRoot() }
        var trivial = degree.map { $0.squareRoot() }
        normalize(&trivial)
        let multiply = { (x: [Double]) -> [Double] in product(graph, inverseRoot, x) }
        guard let vectors = leadingEigenvectors(count: 2, dimension: n, deflating: trivial, generator: &generator,
                                                multiply: multiply) else { return nil }
        var coordinates = [Float](repeating: 0, count: 2 * n)
        let largest = vectors.flatMap { $0 }.reduce(0.0) { max($0, abs($1)) }
        guard largest > 0 else { return nil }
        let expansion = 10 / largest
        for i in 0..<n {
            for c in 0..<2 {
                coordinates[2 * i + c] = Float(vectors[c][i] * expansion) + Float(normal(&generator) * 1e-4)
            }
        }
        return coordinates
    }

    /// `M x` with `M = D^-1/2 W D^-1/2`, by rows in parallel.
    static func product(_ graph: SparseGraph, _ inverseRoot: [Double], _ x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: graph.vertices)
        y.withUnsafeMutableBufferPointer { out in
            let target = UncheckedPointer(out.baseAddress!)
            parallelRanges(graph.vertices) { rows in
                for i in rows {
                    var sum = 0.0
                    for edge in graph.rowStart[i]..<graph.rowStart[i + 1] {
                        let j = Int(graph.columns[edge])
                        sum += Double(graph.weights[edge]) * inverseRoot[j] * x[j]
                    }
                    target.pointer[i] = sum * inverseRoot[i]
                }
            }
        }
        return y
    }

    /// The `count` eigenvectors of largest eigenvalue of a symmetric operator, orthogonal to
    /// `deflating`, by Lanczos from the all-ones vector (scipy's `v0` for umap-learn) plus seeded
    /// noise of 1e-3: from ones alone, a graph with a symmetry (two mirror-image halves) keeps the
    /// iteration in its symmetric vectors, and the eigenvector that tells the halves apart is never found.
    static func leadingEigenvectors(count: Int, dimension n: Int, deflating known: [Double], generator: inout SeededGenerator,
                                    multiply: ([Double]) -> [Double]) -> [[Double]]? {
        var basis: [[Double]] = []
        var alpha: [Double] = [], beta: [Double] = []
        var v = (0..<n).map { _ in 1 + 1e-3 * normal(&generator) }
        orthogonalize(&v, against: [known])
        guard normalize(&v) > 0 else { return nil }
        let m = steps(for: n)
        for step in 0..<m {
            basis.append(v)
            var w = multiply(v)
            let a = dot(w, v)
            alpha.append(a)
            // The three-term recurrence, then full reorthogonalization against the known vector
            // and every basis vector, repeated only when it took much of what was left (the
            // DGKS test, 1/sqrt 2): after the recurrence the old components are round-off, and
            // one pass of the basis (its whole cost: the basis is streamed from memory) removes them.
            subtract(a, times: v, from: &w)
            if let last = beta.last { subtract(last, times: basis[step - 1], from: &w) }
            let before = dot(w, w).squareRoot()
            orthogonalize(&w, against: [known] + basis)
            if dot(w, w).squareRoot() < before * 0.5.squareRoot() { orthogonalize(&w, against: [known] + basis) }
            let b = normalize(&w)
            if step == m - 1 || b < 1e-10 { break }
            beta.append(b)
            v = w
        }
        let (values, vectors) = symmetricTridiagonalEigen(alpha, beta)
        let order = values.indices.sorted { values[$0] > values[$1] }
        guard order.count >= count else { return nil }
        return order.prefix(count).map { column in
            var ritz = [Double](repeating: 0, count: n)
            for (row, vector) in basis.enumerated() {
                let weight = vectors[row][column]
                for i in 0..<n { ritz[i] += weight * vector[i] }
            }
            return ritz
        }
    }

    /// Eigenvalues and eigenvectors (columns) of the symmetric tridiagonal matrix with diagonal
    /// `alpha` and off-diagonal `beta`, by cyclic Jacobi rotations (the matrix is small).
    static func symmetricTridiagonalEigen(_ alpha: [Double], _ beta: [Double]) -> ([Double], [[Double]]) {
        let m = alpha.count
        var a = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
        var v = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
        for i in 0..<m {
            a[i][i] = alpha[i]
            v[i][i] = 1
            if i + 1 < m, i < beta.count { a[i][i + 1] = beta[i]; a[i + 1][i] = beta[i] }
        }
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<m { for q in (p + 1)..<max(m, p + 1) { off += a[p][q] * a[p][q] } }
            if off < 1e-22 { break }
            for p in 0..<m {
                for q in (p + 1)..<max(m, p + 1) where abs(a[p][q]) > 1e-300 {
                    let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<m {
                        let akp = a[k][p], akq = a[k][q]
                        a[k][p] = c * akp - s * akq
                        a[k][q] = s * akp + c * akq
                    }
                    for k in 0..<m {
                        let apk = a[p][k], aqk = a[q][k]
                        a[p][k] = c * apk - s * aqk
                        a[q][k] = s * apk + c * aqk
                    }
                    for k in 0..<m {
                        let vkp = v[k][p], vkq = v[k][q]
                        v[k][p] = c * vkp - s * vkq
                        v[k][q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<m).map { a[$0][$0] }, v)
    }

    /// `x . y` in eight-lane vectors (`dot` over the whole arrays).
    static func dot(_ x: [Double], _ y: [Double]) -> Double {
        x.withUnsafeBufferPointer { a in
            y.withUnsafeBufferPointer { b in dot(a.baseAddress!, b.baseAddress!, min(a.count, b.count)) }
        }
    }

    /// `x . y` over `n` values in eight-lane vectors, two of them, lanes summed at the end: one
    /// accumulator made every step wait for the last.
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
        let body = n / 16 * 16
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var s0 = SIMD8<Double>(), s1 = SIMD8<Double>()
        var i = 0
        while i < body {
            s0.addProduct(ra.loadUnaligned(fromByteOffset: i * 8, as: SIMD8<Double>.self),
                          rb.loadUnaligned(fromByteOffset: i * 8, as: SIMD8<Double>.self))
            s1.addProduct(ra.loadUnaligned(fromByteOffset: (i + 8) * 8, as: SIMD8<Double>.self),
                          rb.loadUnaligned(fromByteOffset: (i + 8) * 8, as: SIMD8<Double>.self))
            i += 16
        }
        let lanes = s0 + s1, four = lanes.lowHalf + lanes.highHalf, two = four.lowHalf + four.highHalf
        var sum = two[0] + two[1]
        while i < n {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// Fixed ranges of the elements for `orthogonalize`'s threads: the ranges, and so the sums,
    /// never depend on the thread count.
    static let orthogonalizationPieces = 16

    /// `w` less its projections on `vectors`, by classical Gram-Schmidt: every dot from `w` as it
    /// came, then one update. Twice in a row (as `leadingEigenvectors` calls it) it orthogonalizes
    /// as well as the modified form, whose dots wait each on the last update, and both steps run
    /// threaded over fixed ranges of the elements: the dots' partial sums added in range order,
    /// the update range by range. The reorthogonalization streams the whole basis twice a pass
    /// (at 70,000 points and 120 steps, 16 GB in all), and one thread did not keep memory busy.
    static func orthogonalize(_ w: inout [Double], against vectors: [[Double]]) {
        let n = w.count, m = vectors.count
        guard n > 0, m > 0 else { return }
        let pieces = min(orthogonalizationPieces, n)
        let partials = UnsafeMutablePointer<Double>.allocate(capacity: pieces * m)
        defer { partials.deallocate() }
        let sharedPartials = UncheckedPointer(partials)
        w.withUnsafeMutableBufferPointer { target in
            let shared = UncheckedPointer(target.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: pieces) { piece in
                let start = n * piece / pieces, count = n * (piece + 1) / pieces - start
                for (v, vector) in vectors.enumerated() {
                    sharedPartials.pointer[piece * m + v] = vector.withUnsafeBufferPointer { dot(shared.pointer + start, $0.baseAddress! + start, count) }
                }
            }
            var sums = [Double](repeating: 0, count: m)
            for piece in 0..<pieces { for v in 0..<m { sums[v] += partials[piece * m + v] } }
            let projections = sums
            DispatchQueue.concurrentPerform(iterations: pieces) { piece in
                let start = n * piece / pieces, end = n * (piece + 1) / pieces
                for (v, vector) in vectors.enumerated() {
                    let projection = projections[v]
                    vector.withUnsafeBufferPointer { source in
                        for i in start..<end { shared.pointer[i] -= projection * source[i] }
                    }
                }
            }
        }
    }

    /// `w -= scale * x`.
    static func subtract(_ scale: Double, times x: [Double], from w: inout [Double]) {
        for i in w.indices { w[i] -= scale * x[i] }
    }

    @discardableResult
    static func normalize(_ x: inout [Double]) -> Double {
        let norm = dot(x, x).squareRoot()
        if norm > 0 { for i in x.indices { x[i] /= norm } }
        return norm
    }

    /// A standard normal draw (Box-Muller) from the seeded generator.
    static func normal(_ generator: inout SeededGenerator) -> Double {
        let u1 = (Double(generator.next() >> 11) + 1) * 0x1p-53, u2 = Double(generator.next() >> 11) * 0x1p-53
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
