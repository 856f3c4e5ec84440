/// `x^y` for positive finite `x`, as `2^(y log2 x)` with short polynomials for `log2` on [1, 2)
/// and `2^f` on [0, 1) (relative error below 2e-5): the layout's gradients call it six times per
/// sampled edge, and the C library's `powf` was half of the layout's time. The gradients are
/// clipped and stochastic; an error of a few millionths moves nothing that matters.
@inline(__always)
func fastPower(_ x: Float, _ y: Float) -> Float {
    fastExp2(y * fastLog2(x))
}

@inline(__always)
func fastLog2(_ x: Float) -> Float {
    let bits = x.bitPattern
    let exponent = Float(Int32(bitPattern: (bits >> 23) & 0xFF) - 127)
    let m = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F80_0000) - 1   // mantissa - 1, in [0, 1)
    // log2(1 + m): a least-squares degree-6 fit on [0, 1), absolute error 4.4e-6.
    let p = m * (1.442_517_03 + m * (-0.717_898_38 + m * (0.456_894_17 + m * (-0.277_365_05
        + m * (0.121_914_14 + m * -0.026_066_30)))))
    return exponent + p
}

@inline(__always)
func fastExp2(_ y: Float) -> Float {
    let clamped = min(max(y, -126), 127)
    let whole = clamped.rounded(.down)
    let f = clamped - whole
    // 2^f: a least-squares degree-6 fit on [0, 1), relative error 7e-9 (float32 rounding dominates).
    let p = 1 + f * (0.693_146_985 + f * (0.240_229_988 + f * (0.055_482_607 + f * (0.009_680_090
        + f * (0.001_243_118 + f * 0.000_217_203)))))
    return Float(bitPattern: UInt32(Int32(whole) + 127) << 23) * p
}
