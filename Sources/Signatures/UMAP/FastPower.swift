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

/// `fastPower` on eight lanes at once (the same polynomials, so the same values lane by lane).
///
/// Written with bit casts and integer lanes only: Swift 6.3 builds `SIMD8<Int32>(floats)` as a
/// generic call, where the bit trick below (adding 1.5 * 2^23 puts a small whole number in the
/// low mantissa bits) is two vector instructions.
@inline(__always)
func fastPower(_ x: SIMD8<Float>, _ y: Float) -> SIMD8<Float> {
    fastExp2(y * fastLog2(x))
}

@inline(__always)
func fastLog2(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let bits = unsafeBitCast(x, to: SIMD8<Int32>.self)
    let exponent = SIMD8<Float>(((bits &>> 23) & 0xFF) &- 127)
    let m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F80_0000, to: SIMD8<Float>.self) - 1
    let p = m * (1.441_825_8 + m * (-0.708_682_1 + m * (0.415_421_95 + m * (-0.194_422_67 + m * 0.045_885_53))))
    return exponent + p
}

@inline(__always)
func fastExp2(_ y: SIMD8<Float>) -> SIMD8<Float> {
    var clamped = y.replacing(with: -126, where: y .< -126)
    clamped = clamped.replacing(with: 127, where: clamped .> 127)
    let whole = clamped.rounded(.down)
    let f = clamped - whole
    let p = 1 + f * (0.693_018_69 + f * (0.241_404_38 + f * (0.052_074_71 + f * 0.013_493_01)))
    let integer = unsafeBitCast(whole + 12_582_912, to: SIMD8<Int32>.self) &- 0x4B40_0000
    return unsafeBitCast((integer &+ 127) &<< 23, to: SIMD8<Float>.self) * p
}
