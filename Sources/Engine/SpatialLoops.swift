/// The CPU backend's convolution loops over NHWC memory.
///
/// `im2col` and `col2im` say in Swift what `Kernels/conv.cl` says in OpenCL C, value for value
/// and, for col2im's sums, in the same order, so both backends give the same bits for them.
/// (One-channel convolutions run directly, in `DirectConvolutionLoops`.) Work is split over
/// output (or input) pixels; each value is written by one thread, so results are repeatable.
enum SpatialLoops {
    /// `patches[(n, oy, ox), (ky, kx, c)] = input[n, oy*sy - padTop + ky, ox*sx - padLeft + kx, c]`,
    /// 0 in the padding.
    static func im2col(_ input: SharedPointer<Float>, into patches: SharedPointer<Float>, _ g: Conv2DGeometry) {
        let rows = g.rows, columns = g.columns
        let channels = g.channels, kernelWidth = g.kernelWidth, patch = g.patchSize
        let rowLength = kernelWidth * channels
        parallelChunks(g.outputPositions, minimumChunk: max(1, 16_384 / patch)) { range in
            for position in range {
                let ox = position % columns.output, oy = (position / columns.output) % rows.output
                let n = position / (columns.output * rows.output)
                let x0 = ox * columns.stride - columns.padBefore
                for ky in 0..<g.kernelHeight {
                    let destination = patches.base + position * patch + ky * rowLength
                    let y = oy * rows.stride - rows.padBefore + ky
                    guard y >= 0, y < g.height else {
                        destination.update(repeating: 0, count: rowLength)
                        continue
                    }
                    // One kernel row reads kernelWidth neighbouring pixels: contiguous in NHWC.
                    let source = input.base + (n * g.height + y) * g.width * channels
                    if x0 >= 0, x0 + kernelWidth <= g.width {
                        copy(source + x0 * channels, destination, rowLength)
                        continue
                    }
                    for kx in 0..<kernelWidth {
                        let x = x0 + kx
                        if x >= 0, x < g.width {
                            copy(source + x * channels, destination + kx * channels, channels)
                        } else {
                            (destination + kx * channels).update(repeating: 0, count: channels)
                        }
                    }
                }
            }
        }
    }

    /// The inverse of `im2col` as a gather: each input value is the sum of the patch entries
    /// that read it, windows in row-major order (oy, then ox), as `col2im` in `conv.cl`.
    static func col2im(_ patches: SharedPointer<Float>, into inputGradient: SharedPointer<Float>, _ g: Conv2DGeometry) {
        let rows = g.rows, columns = g.columns
        let channels = g.channels, patch = g.patchSize
        parallelChunks(g.batch * g.height * g.width, minimumChunk: max(1, 4096 / channels)) { range in
            for pixel in range {
                let x = pixel % g.width, y = (pixel / g.width) % g.height, n = pixel / (g.width * g.height)
                let out = inputGradient.base + pixel * channels
                out.update(repeating: 0, count: channels)
                for oy in rows.windows(covering: y) {
                    let ky = y + rows.padBefore - oy * rows.stride
                    for ox in columns.windows(covering: x) {
                        let kx = x + columns.padBefore - ox * columns.stride
                        let position = (n * rows.output + oy) * columns.output + ox
                        let source = patches.base + position * patch + (ky * g.kernelWidth + kx) * channels
                        for c in 0..<channels { out[c] += source[c] }
                    }
                }
            }
        }
    }

    /// `count` floats from `source` to `destination`; a plain loop, as the runs are a few floats
    /// long (3 for a 3x3 kernel on one channel), where a `memmove` call costs more than the copy.
    @inline(__always)
    private static func copy(_ source: UnsafeMutablePointer<Float>, _ destination: UnsafeMutablePointer<Float>, _ count: Int) {
        for i in 0..<count { destination[i] = source[i] }
    }
}
