/// The CPU backend's direct convolution of one-channel images (see `CPUBackend.conv2d`): the
/// forward pass with the GEMM epilogue, and the kernel gradient.
///
/// Both keep their sums in registers: the forward pass four positions by 16 filters at a time,
/// the kernel gradient nine taps by eight filters, fused multiply-adds throughout. Where every
/// window lies in the image (`tapsAreInside`: valid padding) they read each tap where it is, at
/// a fixed offset from its position's first; otherwise they gather a row's taps into a small
/// patch block first (0 in the padding), so the arithmetic runs without branches.
///
/// For the `cnn` model's first layer (batch 128, 28x28x1 -> 26x26x32; release build, 2-core
/// EPYC, `signet bench conv`, binaries alternated): against a loop that gathered and summed one
/// position at a time, adds chained in one register, the gathering version took the forward
/// pass from 1.40 to 0.78 ms and the kernel gradient from 1.46-1.74 to 0.77-0.85 ms; reading
/// in place took them on to 0.58-0.72 and 0.49-0.70 ms.
enum DirectConvolutionLoops {
    /// `output[(n, oy, ox), o] = relu?(sum over taps (ky, kx) of input * kernel[ky, kx, 0, o] + bias[o])`.
    /// Work is split over output rows; each output value is written by one thread.
    static func convolve(_ input: SharedPointer<Float>, kernel: SharedPointer<Float>, into output: SharedPointer<Float>,
                         bias: SharedPointer<Float>?, relu: Bool, _ g: Conv2DGeometry) {
        precondition(g.channels == 1, "the direct convolution is for one input channel")
        let outputRows = g.batch * g.outputHeight
        parallelChunks(outputRows, minimumChunk: max(1, 16_384 / (g.outputWidth * g.patchSize * g.filters))) { range in
            withPatchBlock(g) { patches in
                for row in range {
                    convolveRow(row, input, kernel: kernel.base, bias: bias?.base, relu: relu, g, patches: patches,
                                into: output.base + row * g.outputWidth * g.filters)
                }
            }
        }
    }

    /// `dK[(ky, kx), o] = sum over positions of input[tap] * dOut[position, o]`. Positions are
    /// summed in fixed chunks (`chunkedSums`), so the result does not depend on the thread count.
    static func kernelGradient(_ input: SharedPointer<Float>, outputGradient: SharedPointer<Float>,
                               into kernelGradient: UnsafeMutablePointer<Float>, _ g: Conv2DGeometry) {
        precondition(g.channels == 1, "the direct kernel gradient is for one input channel")
        let width = g.outputWidth, filters = g.filters
        // A chunk of output rows, about 2,048 positions.
        let rowsPerChunk = max(1, 2048 / width)
        chunkedSums(g.batch * g.outputHeight, chunk: rowsPerChunk, width: g.patchSize * filters, into: kernelGradient) { range, partial in
            withGradientPatchBlock(g) { patches in
                for row in range {
                    accumulateKernelGradient(row: row, input, rowGradient: outputGradient.base + row * width * filters, g,
                                             patches: patches, into: partial)
                }
            }
        }
    }

    /// Scratch for one output row's taps, `convolveRow`'s `patches`.
    @inline(__always)
    static func withPatchBlock<R>(_ g: Conv2DGeometry, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: g.outputWidth * g.patchSize) { body($0.baseAddress!) }
    }

    /// One output row (`n * outputHeight + oy`) of `convolve` into `out`: its taps gathered into
    /// `patches`, then blocks of four positions and of 16 filters, the last ones overlapping the
    /// ones before when the counts are not multiples (each value is stored, not accumulated, so
    /// computing one twice is harmless).
    @inline(__always)
    static func convolveRow(_ row: Int, _ input: SharedPointer<Float>, kernel: UnsafeMutablePointer<Float>,
                            bias: UnsafeMutablePointer<Float>?, relu: Bool, _ g: Conv2DGeometry,
                            patches: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let width = g.outputWidth, filters = g.filters, taps = g.patchSize
        if g.tapsAreInside, width >= 4, filters >= 16 {
            convolveRowInPlace(row, input, kernel: kernel, bias: bias, relu: relu, g, into: out)
            return
        }
        gatherPatches(input, row: row, g, stride: taps, into: patches)
        guard filters >= 16 else {
            for position in 0..<width {
                convolveOne(patches + position * taps, taps: taps, kernel: kernel, bias: bias,
                            relu: relu, filters: filters, into: out + position * filters)
            }
            return
        }
        var position = 0
        while position < width {
            let p = width < 4 ? position : min(position, width - 4)
            var o0 = 0
            while o0 < filters {
                let o = min(o0, filters - 16)
                if width < 4 {
                    convolveOne16(patches + p * taps, taps: taps, kernel: kernel + o, bias: bias.map { $0 + o },
                                  relu: relu, filters: filters, into: out + p * filters + o)
                } else {
                    convolveFour(patches + p * taps, taps: taps, kernel: kernel + o, bias: bias.map { $0 + o },
                                 relu: relu, filters: filters, into: out + p * filters + o)
                }
                o0 += 16
            }
            position += width < 4 ? 1 : 4
        }
    }

    /// Scratch for one output row's taps in `accumulateKernelGradient`'s layout: taps in groups
    /// of nine (the 3x3 kernel's count), the last group padded with zero taps, so that one
    /// group's sums for eight filters fit in nine registers. The padding taps stay 0: the
    /// gathering writes only the first `patchSize` of each position.
    @inline(__always)
    static func withGradientPatchBlock<R>(_ g: Conv2DGeometry, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        let paddedTaps = (g.patchSize + 8) / 9 * 9
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: g.outputWidth * paddedTaps) { block in
            block.baseAddress!.initialize(repeating: 0, count: g.outputWidth * paddedTaps)
            return body(block.baseAddress!)
        }
    }

    /// Adds output row `row`'s part of the kernel gradient, `sum over its positions of
    /// input[tap] * rowGradient[position, o]`, to `partial` (`[taps, filters]`).
    @inline(__always)
    static func accumulateKernelGradient(row: Int, _ input: SharedPointer<Float>, rowGradient dOut: UnsafeMutablePointer<Float>,
                                         _ g: Conv2DGeometry, patches: UnsafeMutablePointer<Float>,
                                         into partial: UnsafeMutablePointer<Float>) {
        let width = g.outputWidth, filters = g.filters, taps = g.patchSize
        let groups = (taps + 8) / 9, paddedTaps = groups * 9
        if g.tapsAreInside, filters >= 8 {
            withTapOffsets(g, count: paddedTaps) { offsets in
                let origin = rowOrigin(row, input, g)
                var o0 = 0
                while o0 + 8 <= filters {
                    for group in 0..<groups {
                        accumulateNineTapsInPlace(origin, positionStride: g.strideX, offsets: offsets + group * 9,
                                                  positions: width, gradient: dOut + o0, filters: filters,
                                                  into: partial + group * 9 * filters + o0, taps: min(9, taps - group * 9))
                    }
                    o0 += 8
                }
                for o in o0..<filters {
                    for p in 0..<width {
                        let d = dOut[p * filters + o]
                        for t in 0..<taps { partial[t * filters + o] += origin[p * g.strideX + offsets[t]] * d }
                    }
                }
            }
            return
        }
        gatherPatches(input, row: row, g, stride: paddedTaps, into: patches)
        var o0 = 0
        while o0 + 8 <= filters {
            for group in 0..<groups {
                accumulateNineTaps(patches + group * 9, stride: paddedTaps, positions: width,
                                   gradient: dOut + o0, filters: filters,
                                   into: partial + group * 9 * filters + o0, taps: min(9, taps - group * 9))
            }
            o0 += 8
        }
        for o in o0..<filters {
            for p in 0..<width {
                let d = dOut[p * filters + o]
                for t in 0..<taps { partial[t * filters + o] += patches[p * paddedTaps + t] * d }
            }
        }
    }

    /// `convolveRow` where every tap lies in the image (`tapsAreInside`): the taps are read where
    /// they are, at fixed offsets from each position's first, instead of gathered first.
    @inline(__always)
    private static func convolveRowInPlace(_ row: Int, _ input: SharedPointer<Float>, kernel: UnsafeMutablePointer<Float>,
                                           bias: UnsafeMutablePointer<Float>?, relu: Bool, _ g: Conv2DGeometry,
                                           into out: UnsafeMutablePointer<Float>) {
        let width = g.outputWidth, filters = g.filters, taps = g.patchSize, stride = g.strideX
        withTapOffsets(g, count: taps) { offsets in
            let origin = rowOrigin(row, input, g)
            var position = 0
            while position < width {
                let p = min(position, width - 4)
                var o0 = 0
                while o0 < filters {
                    let o = min(o0, filters - 16)
                    let first = origin + p * stride, k = kernel + o
                    let start = bias.map { load16($0 + o) } ?? SIMD16<Float>(repeating: 0)
                    var s0 = start, s1 = start, s2 = start, s3 = start
                    for t in 0..<taps {
                        let weights = load16(k + t &* filters), at = first + offsets[t]
                        s0 = s0.addingProduct(SIMD16(repeating: at[0]), weights)
                        s1 = s1.addingProduct(SIMD16(repeating: at[stride]), weights)
                        s2 = s2.addingProduct(SIMD16(repeating: at[2 &* stride]), weights)
                        s3 = s3.addingProduct(SIMD16(repeating: at[3 &* stride]), weights)
                    }
                    storeFour(s0, s1, s2, s3, relu: relu, filters: filters, into: out + p * filters + o)
                    o0 += 16
                }
                position += 4
            }
        }
    }

    /// `accumulateNineTaps` reading the taps in place: position `p`'s tap `i` is
    /// `origin[p * positionStride + offsets[i]]`.
    @inline(__always)
    private static func accumulateNineTapsInPlace(_ origin: UnsafeMutablePointer<Float>, positionStride: Int,
                                                  offsets: UnsafeMutablePointer<Int>, positions: Int,
                                                  gradient: UnsafeMutablePointer<Float>, filters: Int,
                                                  into partial: UnsafeMutablePointer<Float>, taps: Int) {
        let f0 = offsets[0], f1 = offsets[1], f2 = offsets[2], f3 = offsets[3], f4 = offsets[4]
        let f5 = offsets[5], f6 = offsets[6], f7 = offsets[7], f8 = offsets[8]
        var a0 = SIMD8<Float>(repeating: 0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0
        var p = origin, d = gradient
        for _ in 0..<positions {
            let v = UnsafeRawPointer(d).loadUnaligned(as: SIMD8<Float>.self)
            a0 = a0.addingProduct(SIMD8(repeating: p[f0]), v)
            a1 = a1.addingProduct(SIMD8(repeating: p[f1]), v)
            a2 = a2.addingProduct(SIMD8(repeating: p[f2]), v)
            a3 = a3.addingProduct(SIMD8(repeating: p[f3]), v)
            a4 = a4.addingProduct(SIMD8(repeating: p[f4]), v)
            a5 = a5.addingProduct(SIMD8(repeating: p[f5]), v)
            a6 = a6.addingProduct(SIMD8(repeating: p[f6]), v)
            a7 = a7.addingProduct(SIMD8(repeating: p[f7]), v)
            a8 = a8.addingProduct(SIMD8(repeating: p[f8]), v)
            p += positionStride
            d += filters
        }
        addSums(a0, a1, a2, a3, a4, a5, a6, a7, a8, taps: taps, filters: filters, into: partial)
    }

    /// Where output row `row`'s first position reads its first tap, in a convolution whose taps
    /// are all inside the image.
    @inline(__always)
    private static func rowOrigin(_ row: Int, _ input: SharedPointer<Float>, _ g: Conv2DGeometry) -> UnsafeMutablePointer<Float> {
        let n = row / g.outputHeight, oy = row % g.outputHeight
        return input.base + (n * g.height + oy * g.strideY) * g.width
    }

    /// Tap `t = ky * kw + kx`'s offset from its position's first tap, `ky * width + kx`, for the
    /// first `count` taps (0 past the kernel's: those padding taps' sums are never kept).
    @inline(__always)
    private static func withTapOffsets<R>(_ g: Conv2DGeometry, count: Int, _ body: (UnsafeMutablePointer<Int>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { block in
            let offsets = block.baseAddress!
            for t in 0..<count {
                offsets[t] = t < g.patchSize ? t / g.kernelWidth * g.width + t % g.kernelWidth : 0
            }
            return body(offsets)
        }
    }

    /// The taps of output row `row` (`n * outputHeight + oy`): `patches[ox * stride + ky * kw + kx]`,
    /// 0 in the padding.
    @inline(__always)
    private static func gatherPatches(_ input: SharedPointer<Float>, row: Int, _ g: Conv2DGeometry, stride taps: Int,
                                      into patches: UnsafeMutablePointer<Float>) {
        let rows = g.rows, columns = g.columns, kh = g.kernelHeight, kw = g.kernelWidth
        let n = row / rows.output, oy = row % rows.output
        let image = input.base + n * g.height * g.width
        for ky in 0..<kh {
            let y = oy * rows.stride - rows.padBefore + ky
            guard y >= 0, y < g.height else {
                for ox in 0..<columns.output {
                    (patches + ox * taps + ky * kw).update(repeating: 0, count: kw)
                }
                continue
            }
            let line = image + y * g.width
            for ox in 0..<columns.output {
                let x0 = ox &* columns.stride &- columns.padBefore
                let destination = patches + (ox &* taps &+ ky &* kw)
                if x0 >= 0, x0 &+ kw <= g.width {
                    // Inside the image (every position, without padding): no bounds to check.
                    let source = line + x0
                    for kx in 0..<kw { destination[kx] = source[kx] }
                    continue
                }
                for kx in 0..<kw {
                    let x = x0 &+ kx
                    destination[kx] = x >= 0 && x < g.width ? line[x] : 0
                }
            }
        }
    }

    /// Four neighbouring positions by 16 filters: every kernel row loaded once for all four.
    @inline(__always)
    private static func convolveFour(_ patches: UnsafeMutablePointer<Float>, taps: Int, kernel: UnsafeMutablePointer<Float>,
                                     bias: UnsafeMutablePointer<Float>?, relu: Bool, filters: Int,
                                     into out: UnsafeMutablePointer<Float>) {
        let start = bias.map { load16($0) } ?? SIMD16<Float>(repeating: 0)
        var s0 = start, s1 = start, s2 = start, s3 = start
        for t in 0..<taps {
            let k = load16(kernel + t &* filters)
            s0 = s0.addingProduct(SIMD16(repeating: patches[t]), k)
            s1 = s1.addingProduct(SIMD16(repeating: patches[taps &+ t]), k)
            s2 = s2.addingProduct(SIMD16(repeating: patches[2 &* taps &+ t]), k)
            s3 = s3.addingProduct(SIMD16(repeating: patches[3 &* taps &+ t]), k)
        }
        storeFour(s0, s1, s2, s3, relu: relu, filters: filters, into: out)
    }

    /// Four positions' sums for 16 filters, through the ReLU if asked, into rows `filters` apart.
    @inline(__always)
    private static func storeFour(_ s0: SIMD16<Float>, _ s1: SIMD16<Float>, _ s2: SIMD16<Float>, _ s3: SIMD16<Float>,
                                  relu: Bool, filters: Int, into out: UnsafeMutablePointer<Float>) {
        var s0 = s0, s1 = s1, s2 = s2, s3 = s3
        if relu {
            let zero = SIMD16<Float>(repeating: 0)
            let m0 = s0 .< zero, m1 = s1 .< zero, m2 = s2 .< zero, m3 = s3 .< zero
            s0.replace(with: zero, where: m0)
            s1.replace(with: zero, where: m1)
            s2.replace(with: zero, where: m2)
            s3.replace(with: zero, where: m3)
        }
        store16(s0, out)
        store16(s1, out + filters)
        store16(s2, out + 2 * filters)
        store16(s3, out + 3 * filters)
    }

    /// One position by 16 filters: rows narrower than four positions.
    @inline(__always)
    private static func convolveOne16(_ patches: UnsafeMutablePointer<Float>, taps: Int, kernel: UnsafeMutablePointer<Float>,
                                      bias: UnsafeMutablePointer<Float>?, relu: Bool, filters: Int,
                                      into out: UnsafeMutablePointer<Float>) {
        var sum = bias.map { load16($0) } ?? SIMD16<Float>(repeating: 0)
        for t in 0..<taps { sum = sum.addingProduct(SIMD16(repeating: patches[t]), load16(kernel + t &* filters)) }
        if relu {
            let zero = SIMD16<Float>(repeating: 0), negative = sum .< zero
            sum.replace(with: zero, where: negative)
        }
        store16(sum, out)
    }

    /// One position, every filter, one at a time: layers of fewer than 16 filters.
    @inline(__always)
    private static func convolveOne(_ patches: UnsafeMutablePointer<Float>, taps: Int, kernel: UnsafeMutablePointer<Float>,
                                    bias: UnsafeMutablePointer<Float>?, relu: Bool, filters: Int,
                                    into out: UnsafeMutablePointer<Float>) {
        for o in 0..<filters {
            var sum = bias?[o] ?? 0
            for t in 0..<taps { sum = sum.addingProduct(patches[t], kernel[t * filters + o]) }
            out[o] = relu ? max(sum, 0) : sum
        }
    }

    /// Adds `sum over positions of patches[p * stride + i] * gradient[p * filters ..< +8]` to
    /// `partial[i * filters ..< +8]` for the first `taps` of nine taps, the nine sums in registers.
    @inline(__always)
    private static func accumulateNineTaps(_ patches: UnsafeMutablePointer<Float>, stride: Int, positions: Int,
                                           gradient: UnsafeMutablePointer<Float>, filters: Int,
                                           into partial: UnsafeMutablePointer<Float>, taps: Int) {
        var a0 = SIMD8<Float>(repeating: 0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0
        var p = patches, d = gradient
        for _ in 0..<positions {
            let v = UnsafeRawPointer(d).loadUnaligned(as: SIMD8<Float>.self)
            a0 = a0.addingProduct(SIMD8(repeating: p[0]), v)
            a1 = a1.addingProduct(SIMD8(repeating: p[1]), v)
            a2 = a2.addingProduct(SIMD8(repeating: p[2]), v)
            a3 = a3.addingProduct(SIMD8(repeating: p[3]), v)
            a4 = a4.addingProduct(SIMD8(repeating: p[4]), v)
            a5 = a5.addingProduct(SIMD8(repeating: p[5]), v)
            a6 = a6.addingProduct(SIMD8(repeating: p[6]), v)
            a7 = a7.addingProduct(SIMD8(repeating: p[7]), v)
            a8 = a8.addingProduct(SIMD8(repeating: p[8]), v)
            p += stride
            d += filters
        }
        addSums(a0, a1, a2, a3, a4, a5, a6, a7, a8, taps: taps, filters: filters, into: partial)
    }

    /// Adds nine taps' sums for eight filters to `partial[i * filters ..< +8]`, the first `taps` of them.
    @inline(__always)
    private static func addSums(_ a0: SIMD8<Float>, _ a1: SIMD8<Float>, _ a2: SIMD8<Float>, _ a3: SIMD8<Float>,
                                _ a4: SIMD8<Float>, _ a5: SIMD8<Float>, _ a6: SIMD8<Float>, _ a7: SIMD8<Float>,
                                _ a8: SIMD8<Float>, taps: Int, filters: Int, into partial: UnsafeMutablePointer<Float>) {
        func add(_ sum: SIMD8<Float>, tap: Int) {
            guard tap < taps else { return }
            let row = UnsafeMutableRawPointer(partial + tap * filters)
            row.storeBytes(of: row.loadUnaligned(as: SIMD8<Float>.self) + sum, as: SIMD8<Float>.self)
        }
        add(a0, tap: 0); add(a1, tap: 1); add(a2, tap: 2); add(a3, tap: 3); add(a4, tap: 4)
        add(a5, tap: 5); add(a6, tap: 6); add(a7, tap: 7); add(a8, tap: 8)
    }

    @inline(__always)
    private static func load16(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    private static func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }
}

extension Conv2DGeometry {
    /// Every window lies in the image (valid padding, or same padding that adds nothing), so the
    /// direct loops read taps where they are, with nothing to check.
    var tapsAreInside: Bool {
        padTop == 0 && padLeft == 0 && (outputHeight - 1) * strideY + kernelHeight <= height
            && (outputWidth - 1) * strideX + kernelWidth <= width
    }
}
