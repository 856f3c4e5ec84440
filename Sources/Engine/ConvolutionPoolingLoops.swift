/// The CPU backend's fused convolution and max pooling (`CPUBackend.conv2dMaxPool`), for
/// one-channel input (the direct convolution) and windows that do not overlap (the disjoint
/// pooling backward pass). Work goes by pooled row: each takes its band of convolution rows
/// (`PoolingLoops.disjointBand`), so the band is pooled, or its gradient used, while it is in
/// L1 instead of on a later sweep over the whole batch.
///
/// For the `cnn` model (batch 128, 26x26x32 convolved) the separate calls swept 11 MB of
/// convolution output or gradient six times a step; the fused backward pass never stores the
/// gradient at all, and the forward pass reads the convolution once, as it is written. A
/// training step's forward pass (`forwardRecordingWinners`) does not store the convolution
/// either: it keeps where each window's maximum was (0.7 M int32s), which is all the backward
/// pass reads. That took the cnn epoch from 2.3 to 1.9 s (`signet train`, 2-core EPYC).
enum ConvolutionPoolingLoops {
    /// Whether the fused loops take this pair.
    static func apply(_ convolution: Conv2DGeometry, _ pooling: Pool2DGeometry) -> Bool {
        convolution.channels == 1 && pooling.windowsAreDisjoint
    }

    /// `convolved = relu?(input ⋆ kernel + bias)` and `pooled = maxPool(convolved)`, the values of
    /// `DirectConvolutionLoops.convolve` and `PoolingLoops.forward`.
    static func forward(_ input: SharedPointer<Float>, kernel: SharedPointer<Float>, bias: SharedPointer<Float>?, relu: Bool,
                        convolved: SharedPointer<Float>, pooled: SharedPointer<Float>,
                        _ c: Conv2DGeometry, _ p: Pool2DGeometry) {
        let rowWork = c.outputWidth * c.patchSize * c.filters * p.strideY
        parallelChunks(c.batch * p.outputHeight, minimumChunk: max(1, 16_384 / rowWork)) { range in
            DirectConvolutionLoops.withPatchBlock(c) { patches in
                for pooledRow in range {
                    let n = pooledRow / p.outputHeight
                    for y in PoolingLoops.disjointBand(pooledRow, p) {
                        let row = n * c.outputHeight + y
                        DirectConvolutionLoops.convolveRow(row, input, kernel: kernel.base, bias: bias?.base, relu: relu, c,
                                                           patches: patches, into: convolved.base + row * c.outputWidth * c.filters)
                    }
                    PoolingLoops.forwardRow(pooledRow, convolved.base, into: pooled.base, p)
                }
            }
        }
    }

    /// `forward` without storing the convolution: each pooled row's window rows are convolved
    /// into scratch in L1 and pooled from there, recording each window's winner
    /// (`PoolingLoops.forwardRowRecordingWinners`). Rows in no window are not computed. For the
    /// `cnn` model this drops an 11 MB store a step, and the backward pass's 11 MB read.
    static func forwardRecordingWinners(_ input: SharedPointer<Float>, kernel: SharedPointer<Float>, bias: SharedPointer<Float>?,
                                        relu: Bool, pooled: SharedPointer<Float>, winners: SharedPointer<Int32>,
                                        _ c: Conv2DGeometry, _ p: Pool2DGeometry) {
        let rowFloats = c.outputWidth * c.filters
        let rowWork = rowFloats * c.patchSize * p.strideY
        parallelChunks(c.batch * p.outputHeight, minimumChunk: max(1, 16_384 / rowWork)) { range in
            DirectConvolutionLoops.withPatchBlock(c) { patches in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: p.poolHeight * rowFloats) { windowBlock in
                    let windowRows = windowBlock.baseAddress!
                    for pooledRow in range {
                        let n = pooledRow / p.outputHeight
                        let (y0, y1) = p.rows.clippedWindow(pooledRow % p.outputHeight)
                        for y in y0..<y1 {
                            DirectConvolutionLoops.convolveRow(n * c.outputHeight + y, input, kernel: kernel.base, bias: bias?.base,
                                                               relu: relu, c, patches: patches,
                                                               into: windowRows + (y - y0) * rowFloats)
                        }
                        PoolingLoops.forwardRowRecordingWinners(pooledRow, windowRows: windowRows, into: pooled.base,
                                                                winners: winners.base, p, positiveOnly: relu)
                    }
                }
            }
        }
    }

    /// The kernel and bias gradients from `pooledGradient`: per band, the pooling's backward
    /// pass into a band of scratch, then the band's share of `DirectConvolutionLoops`'s kernel
    /// gradient and of the bias's column sums. Bands are summed in fixed chunks
    /// (`chunkedSums`), so the result does not depend on the thread count.
    ///
    /// `gradientSource` says where each band's gradient comes from: the winners the forward pass
    /// recorded, else a search of the convolution for each window's first maximum.
    static func backward(input: SharedPointer<Float>, gradientSource: PooledGradientSource,
                         pooledGradient: SharedPointer<Float>, _ c: Conv2DGeometry, _ p: Pool2DGeometry,
                         kernelGradient: UnsafeMutablePointer<Float>?, biasGradient: UnsafeMutablePointer<Float>?) {
        let width = c.outputWidth, filters = c.filters, kernelValues = c.patchSize * filters
        let rowFloats = width * filters
        // Middle bands are a stride high; the first and last may differ (padding, leftover rows).
        let bandCapacity = max(p.strideY, PoolingLoops.disjointBand(0, p).count, PoolingLoops.disjointBand(p.outputHeight - 1, p).count)
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: kernelValues + filters)
        defer { sums.deallocate() }
        let wantsKernel = kernelGradient != nil, wantsBias = biasGradient != nil
        let bandsPerChunk = max(1, 2048 / (width * p.strideY))
        chunkedSums(c.batch * p.outputHeight, chunk: bandsPerChunk, width: kernelValues + filters, into: sums) { range, partial in
            DirectConvolutionLoops.withGradientPatchBlock(c) { patches in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: bandCapacity * rowFloats) { bandBlock in
                    let band = bandBlock.baseAddress!
                    for pooledRow in range {
                        let n = pooledRow / p.outputHeight
                        switch gradientSource {
                        case let .winners(winners):
                            PoolingLoops.scatterWinnersRow(pooledRow, winners: winners.base, outputGradient: pooledGradient.base,
                                                           band: band, p)
                        case let .search(convolved, pooled, throughReLU):
                            PoolingLoops.backwardDisjointRow(pooledRow, input: convolved.base, output: pooled.base,
                                                             outputGradient: pooledGradient.base, band: band, p,
                                                             throughReLU: throughReLU)
                        }
                        for (index, y) in PoolingLoops.disjointBand(pooledRow, p).enumerated() {
                            let rowGradient = band + index * rowFloats
                            if wantsKernel {
                                DirectConvolutionLoops.accumulateKernelGradient(
                                    row: n * c.outputHeight + y, input, rowGradient: rowGradient, c, patches: patches, into: partial)
                            }
                            if wantsBias { addColumnSums(rowGradient, rows: width, columns: filters, into: partial + kernelValues) }
                        }
                    }
                }
            }
        }
        kernelGradient?.update(from: sums, count: kernelValues)
        biasGradient?.update(from: sums + kernelValues, count: filters)
    }

    /// `sums[o] += sum over rows of values[row * columns + o]`, eight columns at a time in a
    /// register (a plain loop through the pointers reloads and stores `sums` for every value).
    @inline(__always)
    private static func addColumnSums(_ values: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                                      into sums: UnsafeMutablePointer<Float>) {
        var o0 = 0
        while o0 + 8 <= columns {
            var sum = SIMD8<Float>(repeating: 0)
            for row in 0..<rows { sum += UnsafeRawPointer(values + (row * columns + o0)).loadUnaligned(as: SIMD8<Float>.self) }
            let total = UnsafeMutableRawPointer(sums + o0)
            total.storeBytes(of: total.loadUnaligned(as: SIMD8<Float>.self) + sum, as: SIMD8<Float>.self)
            o0 += 8
        }
        for o in o0..<columns {
            var sum: Float = 0
            for row in 0..<rows { sum += values[row * columns + o] }
            sums[o] += sum
        }
    }
}

/// Where `ConvolutionPoolingLoops.backward` finds each position's share of the pooled gradient.
enum PooledGradientSource: Sendable {
    /// The winners `forwardRecordingWinners` recorded.
    case winners(SharedPointer<Int32>)
    /// The first maximum of each window of `convolved` equal to its `pooled` value (and, through
    /// a ReLU, above 0).
    case search(convolved: SharedPointer<Float>, pooled: SharedPointer<Float>, throughReLU: Bool)
}
