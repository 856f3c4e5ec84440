// 2-D convolution, NHWC tensors and HWIO kernels (Keras channels_last), as im2col + GEMM:
// patches [N*OH*OW, KH*KW*C] x kernel [KH*KW*C, O] = output [N*OH*OW, O], which is NHWC.
// Window o along an axis starts at o * stride - pad_before; positions outside the image read 0.
//
// Every kernel runs on a 3-D range of pixels, (x, y, image), and loops over the channels
// itself. One work-item per value, its coordinates decoded with integer division, was far
// slower on PoCL (2-core EPYC, AVX-512): im2col for the cnn model at batch 128 took 8 ms
// against 0.5 ms this way for the first layer (28x28x1, 3x3), 45 ms against 1 ms for the
// second (13x13x32, 3x3). The divisions are the likely cost (AVX-512 has no vector integer
// division); that was not measured separately.

// Every kernel here takes the geometry as the same twelve ints, in this order.
#define CONV_GEOMETRY const int batch, const int height, const int width, const int channels, \
    const int kernel_h, const int kernel_w, const int stride_y, const int stride_x,              \
    const int pad_top, const int pad_left, const int out_h, const int out_w

// patches[(n, oy, ox), (ky, kx, c)] = input[n, oy*sy - pad_top + ky, ox*sx - pad_left + kx, c]:
// work-item (ox, oy, n) writes its patch row.
__kernel void im2col(__global const float* input, __global float* patches, CONV_GEOMETRY) {
    const int ox = get_global_id(0), oy = get_global_id(1), n = get_global_id(2);
    if (ox >= out_w) return;
    const int row_length = kernel_w * channels;
    __global float* out = patches + (size_t)((n * out_h + oy) * out_w + ox) * kernel_h * row_length;
    const int x0 = ox * stride_x - pad_left;
    for (int ky = 0; ky < kernel_h; ++ky, out += row_length) {
        const int y = oy * stride_y - pad_top + ky;
        if (y < 0 || y >= height) {
            for (int j = 0; j < row_length; ++j) out[j] = 0.0f;
            continue;
        }
        __global const float* in = input + (size_t)(n * height + y) * width * channels;
        for (int kx = 0; kx < kernel_w; ++kx) {
            const int x = x0 + kx;
            const int inside = x >= 0 && x < width;
            for (int c = 0; c < channels; ++c) out[kx * channels + c] = inside ? in[x * channels + c] : 0.0f;
        }
    }
}

// im2col for GPUs: work-item (i, oy, n) writes value i of output row oy's patch rows (out_w
// rows of kernel_h * kernel_w * channels values, contiguous in patches), so neighbouring
// work-items write neighbouring addresses and a warp's stores coalesce into whole transactions;
// with a work-item per patch row they land a patch (9 to 800 values) apart. The coordinates
// come by integer division, cheap on a GPU (on PoCL, the cost that made a work-item per value
// slow; see the top of this file), so CPU devices keep im2col.
__kernel void im2col_coalesced(__global const float* input, __global float* patches, CONV_GEOMETRY) {
    const int i = get_global_id(0), oy = get_global_id(1), n = get_global_id(2);
    const int row_length = kernel_w * channels, patch = kernel_h * row_length;
    if (i >= out_w * patch) return;
    const int ox = i / patch, j = i % patch;
    const int ky = j / row_length, kx = j % row_length / channels, c = j % channels;
    const int y = oy * stride_y - pad_top + ky, x = ox * stride_x - pad_left + kx;
    const int inside = y >= 0 && y < height && x >= 0 && x < width;
    patches[(size_t)(n * out_h + oy) * out_w * patch + i] =
        inside ? input[((size_t)(n * height + y) * width + x) * channels + c] : 0.0f;
}

// The windows along one axis that cover input position i: first..last (empty when first > last).
static inline int first_window(const int i, const int pad, const int window, const int stride) {
    const int shifted = i + pad;
    return shifted < window ? 0 : (shifted - window) / stride + 1;
}

static inline int last_window(const int i, const int pad, const int stride, const int outputs) {
    return min((i + pad) / stride, outputs - 1);
}

// The inverse of im2col, as a gather: input_gradient[n, y, x, c] = the sum of every patch entry
// that read input[n, y, x, c], windows in row-major order (oy, then ox), so the sum is
// deterministic and matches the CPU backend's; no atomics. Work-item (x, y, n) does its pixel.
__kernel void col2im(__global const float* patches, __global float* input_gradient, CONV_GEOMETRY) {
    const int x = get_global_id(0), y = get_global_id(1), n = get_global_id(2);
    if (x >= width) return;
    const int patch = kernel_h * kernel_w * channels;
    __global float* out = input_gradient + (size_t)((n * height + y) * width + x) * channels;
    for (int c = 0; c < channels; ++c) out[c] = 0.0f;
    const int oy_first = first_window(y, pad_top, kernel_h, stride_y), oy_last = last_window(y, pad_top, stride_y, out_h);
    const int ox_first = first_window(x, pad_left, kernel_w, stride_x), ox_last = last_window(x, pad_left, stride_x, out_w);
    for (int oy = oy_first; oy <= oy_last; ++oy) {
        const int ky = y + pad_top - oy * stride_y;
        for (int ox = ox_first; ox <= ox_last; ++ox) {
            const int kx = x + pad_left - ox * stride_x;
            __global const float* in = patches + (size_t)((n * out_h + oy) * out_w + ox) * patch
                                       + (ky * kernel_w + kx) * channels;
            for (int c = 0; c < channels; ++c) out[c] += in[c];
        }
    }
}
