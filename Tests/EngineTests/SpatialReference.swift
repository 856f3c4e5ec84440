import Engine

/// Plain, loop-by-loop convolution and max pooling in double precision, written straight from
/// the definitions (NHWC, HWIO, windows starting at `o * stride - padBefore`), with no shared
/// code with the backends: what the backends are checked against where no fixture exists.
enum SpatialReference {
    /// `out[n, oy, ox, o] = bias[o] + sum over (ky, kx, c) inside the image of x * k`.
    static func conv2d(_ x: [Float], _ k: [Float], bias: [Float]?, _ g: Conv2DGeometry) -> [Float] {
        var out = [Float](repeating: 0, count: g.outputShape.reduce(1, *))
        for n in 0..<g.batch {
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    for o in 0..<g.filters {
                        var sum = Double(bias?[o] ?? 0)
                        for ky in 0..<g.kernelHeight {
                            for kx in 0..<g.kernelWidth {
                                let y = oy * g.strideY - g.padTop + ky, xx = ox * g.strideX - g.padLeft + kx
                                guard y >= 0, y < g.height, xx >= 0, xx < g.width else { continue }
                                for c in 0..<g.channels {
                                    let input = x[((n * g.height + y) * g.width + xx) * g.channels + c]
                                    let weight = k[((ky * g.kernelWidth + kx) * g.channels + c) * g.filters + o]
                                    sum += Double(input) * Double(weight)
                                }
                            }
                        }
                        out[((n * g.outputHeight + oy) * g.outputWidth + ox) * g.filters + o] = Float(sum)
                    }
                }
            }
        }
        return out
    }

    /// The gradients of `sum(conv2d(x, k) * dOut)` by scatter, from the definition:
    /// `dK[ky, kx, c, o] += x * dOut` and `dX[n, y, x, c] += k * dOut` for every tap inside the image.
    static func conv2dBackward(_ x: [Float], _ k: [Float], _ dOut: [Float], _ g: Conv2DGeometry) -> (dK: [Float], dX: [Float]) {
        var dK = [Double](repeating: 0, count: k.count), dX = [Double](repeating: 0, count: x.count)
        for n in 0..<g.batch {
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    for ky in 0..<g.kernelHeight {
                        for kx in 0..<g.kernelWidth {
                            let y = oy * g.strideY - g.padTop + ky, xx = ox * g.strideX - g.padLeft + kx
                            guard y >= 0, y < g.height, xx >= 0, xx < g.width else { continue }
                            for c in 0..<g.channels {
                                let i = ((n * g.height + y) * g.width + xx) * g.channels + c
                                for o in 0..<g.filters {
                                    let w = ((ky * g.kernelWidth + kx) * g.channels + c) * g.filters + o
                                    let d = Double(dOut[((n * g.outputHeight + oy) * g.outputWidth + ox) * g.filters + o])
                                    dK[w] += Double(x[i]) * d
                                    dX[i] += Double(k[w]) * d
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dK.map(Float.init), dX.map(Float.init))
    }

    /// Max pooling and, for `outputGradient`, its gradient: each window's gradient added to its
    /// first maximum in row-major order (a scatter, the opposite of the backends' gather).
    static func maxPool(_ x: [Float], outputGradient: [Float]?, _ g: Pool2DGeometry) -> (output: [Float], inputGradient: [Float]) {
        let (out, firstMaxima) = firstMaxima(x, g)
        var dx = [Float](repeating: 0, count: x.count)
        if let outputGradient {
            for (o, at) in firstMaxima.enumerated() { dx[at] += outputGradient[o] }
        }
        return (out, dx)
    }

    /// Each window's maximum and the flat index in `x` of its first position holding it (the
    /// window's first position where the maximum is NaN), windows clipped to the image.
    private static func firstMaxima(_ x: [Float], _ g: Pool2DGeometry) -> (maxima: [Float], at: [Int]) {
        var out = [Float](repeating: 0, count: g.outputShape.reduce(1, *))
        var firsts = [Int](repeating: 0, count: out.count)
        for n in 0..<g.batch {
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    for c in 0..<g.channels {
                        var best = -Float.infinity, bestAt = -1
                        for py in 0..<g.poolHeight {
                            for px in 0..<g.poolWidth {
                                let y = oy * g.strideY - g.padTop + py, xx = ox * g.strideX - g.padLeft + px
                                guard y >= 0, y < g.height, xx >= 0, xx < g.width else { continue }
                                let at = ((n * g.height + y) * g.width + xx) * g.channels + c
                                if bestAt < 0 || x[at] > best { best = x[at]; bestAt = at }
                            }
                        }
                        let o = ((n * g.outputHeight + oy) * g.outputWidth + ox) * g.channels + c
                        out[o] = best
                        firsts[o] = bestAt
                    }
                }
            }
        }
        return (out, firsts)
    }

    /// Each window's winner as `Backend.conv2dMaxPool` records it, found in the pooling's input:
    /// the position `y * width + x` of its first maximum, -1 where no gradient flows back (a NaN
    /// maximum, or with `relu` one not above 0).
    static func poolingWinners(_ input: [Float], _ g: Pool2DGeometry, relu: Bool) -> [Int32] {
        let (maxima, firsts) = firstMaxima(input, g)
        return zip(maxima, firsts).map { best, at in
            (relu ? best > 0 : best == best) ? Int32(at / g.channels % (g.height * g.width)) : -1
        }
    }
}
