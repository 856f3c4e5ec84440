/// `x^y` for positive finite `x`, as `2^(y log2 x)` with short polynomials for `log2` on [1, 2)
/// and `2^f` on [0, 1) (relative error below 2e-5): the layout's gradients call it six times per
/// sampled edge, and the C library's `powf` was half of the layout's time. The gradients are
/// clipped and stochastic; an error of a few hundred-thousandths moves nothing that matters.
@inline(__always)
func fastPower(_ x: Float, _ y: Float) -> Float {
    fastExp2(y * fastLog2(x))
}

@inline(__always)
func fastLog2(_ x: Float) -> Float {
    let bits = x.bitPattern
    let exponent = Float(Int32(bitPattern: (bits >> 23) & 0xFF) - 127)
    let m = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F80_0000) - 1   // mantissa - 1, in [0, 1)
    // log2(1 + m): a least-squares degree-5 fit on [0, 1), absolute error 2.9e-5.
    let p = m * (1.441_825_8 + m * (-0.708_682_1 + m * (0.415_421_95 + m * (-0.194_422_67 + m * 0.045_885_53))))
    return exponent + p
}

@inline(__always)
func fastExp2(_ y: Float) -> Float {
    let clamped = min(max(y, -126), 127)
    let whole = clamped.rounded(.down)
    let f = clamped - whole
    // 2^f: a least-squares degree-4 fit on [0, 1), relative error 4.6e-6.
    let p = 1 + f * (0.693_018_69 + f * (0.241_404_38 + f * (0.052_074_71 + f * 0.013_493_01)))
    return Float(bitPattern: UInt32(Int32(whole) + 127) << 23) * p
}
