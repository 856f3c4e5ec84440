/// Dot products and squared norms over raw float rows, 16 lanes at a time: the inner loops of
/// the CPU backend's distance operations. Sums run in a fixed order (running lanes, then the
/// lanes by halving, then the tail), so a result never depends on the thread that computes it.
enum VectorMath {
    /// `sum over j < count of a[j] * b[j]`.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        // Two running sums, alternating per 16 values, halve the chain of dependent FMAs.
        var lanes = SIMD16<Float>(), odd = SIMD16<Float>()
        var j = 0
        let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
        while j + 32 <= count {
            lanes.addProduct(rawA.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self),
                             rawB.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self))
            odd.addProduct(rawA.loadUnaligned(fromByteOffset: j * 4 + 64, as: SIMD16<Float>.self),
                           rawB.loadUnaligned(fromByteOffset: j * 4 + 64, as: SIMD16<Float>.self))
            j += 32
        }
        if j + 16 <= count {
            lanes.addProduct(rawA.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self),
                             rawB.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self))
            j += 16
        }
        var sum = laneSum(lanes + odd)
        while j < count {
            sum += a[j] * b[j]
            j += 1
        }
        return sum
    }

    /// `dot(a0, b, count)` ... `dot(a3, b, count)`, bit for bit, with each load of `b` serving
    /// the four rows.
    @inline(__always)
    static func dots(_ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>,
                     _ a3: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> SIMD4<Float> {
        var lanes0 = SIMD16<Float>(), lanes1 = SIMD16<Float>(), lanes2 = SIMD16<Float>(), lanes3 = SIMD16<Float>()
        var odd0 = SIMD16<Float>(), odd1 = SIMD16<Float>(), odd2 = SIMD16<Float>(), odd3 = SIMD16<Float>()
        let raw0 = UnsafeRawPointer(a0), raw1 = UnsafeRawPointer(a1), raw2 = UnsafeRawPointer(a2), raw3 = UnsafeRawPointer(a3)
        let rawB = UnsafeRawPointer(b)
        var j = 0
        while j + 32 <= count {
            let even = rawB.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            let next = rawB.loadUnaligned(fromByteOffset: j * 4 + 64, as: SIMD16<Float>.self)
            lanes0.addProduct(raw0.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self), even)
            lanes1.addProduct(raw1.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self), even)
            lanes2.addProduct(raw2.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self), even)
            lanes3.addProduct(raw3.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self), even)
            odd0.addProduct(raw0.loadUnaligned(fromByteOffset: j * 4 + 64, as: SIMD16<Float>.self), next)
            odd1.addProduct(raw1.loadUnaligned(fromByteOffset: j * 4 + 64, as: SIMD16<Float>.self), next)
            odd2.addProduct(raw2.loadUnaligned(fromByteOffset: j * 4 + 64, as: SIMD16<Float>.self), next)
            odd3.addProduct(raw3.loadUnaligned(fromByteOffset: j * 4 + 64, as: SIMD16<Float>.self), next)
            j += 32
        }
        if j + 16 <= count {
            let even = rawB.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            lanes0.addProduct(raw0.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self), even)
            lanes1.addProduct(raw1.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self), even)
            lanes2.addProduct(raw2.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self), even)
            lanes3.addProduct(raw3.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self), even)
            j += 16
        }
        var sums = SIMD4(laneSum(lanes0 + odd0), laneSum(lanes1 + odd1), laneSum(lanes2 + odd2), laneSum(lanes3 + odd3))
        while j < count {
            sums[0] += a0[j] * b[j]
            sums[1] += a1[j] * b[j]
            sums[2] += a2[j] * b[j]
            sums[3] += a3[j] * b[j]
            j += 1
        }
        return sums
    }

    /// `sum over j < count of (a[j] - b[j])^2`, computed from the differences (no cancellation).
    @inline(__always)
    static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var lanes = SIMD16<Float>()
        var j = 0
        let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
        while j + 16 <= count {
            let difference = rawA.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
                - rawB.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            lanes.addProduct(difference, difference)
            j += 16
        }
        var sum = laneSum(lanes)
        while j < count {
            let difference = a[j] - b[j]
            sum += difference * difference
            j += 1
        }
        return sum
    }

    /// The sum of the 16 lanes, halving: lanes 0-7 plus 8-15, then 0-3 plus 4-7, and so on.
    ///
    /// `SIMD16.sum()` adds the lanes one after another, sixteen dependent scalar additions; a
    /// dot product of 64 values waited longer on them than on its four FMAs.
    @inline(__always)
    static func laneSum(_ v: SIMD16<Float>) -> Float {
        let eight = v.lowHalf + v.highHalf
        let four = eight.lowHalf + eight.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }

    /// `sqrt(max(0, x))` over `count` values, in place.
    @inline(__always)
    static func clampedSquareRoots(_ x: UnsafeMutablePointer<Float>, _ count: Int) {
        var j = 0
        let raw = UnsafeMutableRawPointer(x)
        while j + 16 <= count {
            let v = raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            raw.storeBytes(of: v.replacing(with: 0, where: v .< 0).squareRoot(), toByteOffset: j * 4, as: SIMD16<Float>.self)
            j += 16
        }
        while j < count {
            x[j] = max(x[j], 0).squareRoot()
            j += 1
        }
    }
}
