// 2-D max pooling, NHWC, channel by channel. Window o along an axis starts at
// o * stride - pad_before and is clipped to the image: padded positions are never the maximum
// (TensorFlow's same padding). Ties go to the first position in row-major window order, as in
// TensorFlow; NaN never wins a comparison.
//
// Like conv.cl, the kernels run on a 3-D range of pixels (x, y, image) and loop over the
// channels. With 16 channels or more they take 16 at a time in float16 (the last block
// overlapping the one before when the count is not a multiple of 16; blocks are stored, not
// accumulated, so the overlap is harmless), as the CPU backend does (PoolingLoops.swift). On
// PoCL (2-core EPYC, AVX-512) that took the backward pass of the cnn model's first pooling
// (batch 128, 26x26x32) from 11 ms, one channel at a time, to 1 ms.

// The geometry as twelve ints, in the order of conv.cl's (pool size in place of kernel size).
#define POOL_GEOMETRY const int batch, const int height, const int width, const int channels, \
    const int pool_h, const int pool_w, const int stride_y, const int stride_x,               \
    const int pad_top, const int pad_left, const int out_h, const int out_w

// The start of each 16-channel block: 0, 16, ..., the last one moved back to end at `channels`.
#define FOR_EACH_BLOCK(c) for (int c##_next = 0, c = 0; c##_next < channels; \
                               c##_next += 16, c = min(c##_next, channels - 16))

// output[n, oy, ox, c] = the maximum of its window; work-item (ox, oy, n) does every channel.
__kernel void max_pool_forward(__global const float* input, __global float* output, POOL_GEOMETRY) {
    const int ox = get_global_id(0), oy = get_global_id(1), n = get_global_id(2);
    if (ox >= out_w) return;
    const int ys = oy * stride_y - pad_top, xs = ox * stride_x - pad_left;
    const int y0 = max(ys, 0), y1 = min(ys + pool_h, height), x0 = max(xs, 0), x1 = min(xs + pool_w, width);
    __global const float* image = input + (size_t)n * height * width * channels;
    __global float* out = output + (size_t)((n * out_h + oy) * out_w + ox) * channels;
    if (channels >= 16) {
        FOR_EACH_BLOCK(c) {
            float16 best = vload16(0, image + (y0 * width + x0) * channels + c);
            for (int y = y0; y < y1; ++y) {
                for (int x = x0; x < x1; ++x) {
                    const float16 v = vload16(0, image + (y * width + x) * channels + c);
                    best = select(best, v, v > best);
                }
            }
            vstore16(best, 0, out + c);
        }
        return;
    }
    for (int c = 0; c < channels; ++c) {
        float best = image[(y0 * width + x0) * channels + c];
        for (int y = y0; y < y1; ++y) {
            for (int x = x0; x < x1; ++x) {
                const float v = image[(y * width + x) * channels + c];
                if (v > best) best = v;
            }
        }
        out[c] = best;
    }
}

// The windows along one axis that cover input position i: first..last (empty when first > last).
static inline int first_pool_window(const int i, const int pad, const int window, const int stride) {
    const int shifted = i + pad;
    return shifted < window ? 0 : (shifted - window) / stride + 1;
}

// input_gradient[n, y, x, c] = the sum of output_gradient over the windows whose first maximum
// is input[n, y, x, c], windows in row-major order. A gather, which needs no stored indices and
// no atomics and works for overlapping windows: a window's first maximum is its first position
// equal to its output, so input[n, y, x, c] is it when it equals the output and no earlier
// position of the window does. Work-item (x, y, n) does every channel of its pixel.
// through_relu: input is a ReLU output and the gradient goes on through that ReLU: 0 where input <= 0.
__kernel void max_pool_backward(__global const float* input, __global const float* output,
                                __global const float* output_gradient, __global float* input_gradient,
                                POOL_GEOMETRY, const int through_relu) {
    const int x = get_global_id(0), y = get_global_id(1), n = get_global_id(2);
    if (x >= width) return;
    __global const float* image = input + (size_t)n * height * width * channels;
    const size_t pixel = (size_t)((n * height + y) * width + x) * channels;
    const int oy_first = first_pool_window(y, pad_top, pool_h, stride_y), oy_last = min((y + pad_top) / stride_y, out_h - 1);
    const int ox_first = first_pool_window(x, pad_left, pool_w, stride_x), ox_last = min((x + pad_left) / stride_x, out_w - 1);
    if (channels >= 16) {
        FOR_EACH_BLOCK(c) {
            const float16 value = vload16(0, input + pixel + c);
            float16 sum = (float16)(0.0f);
            for (int oy = oy_first; oy <= oy_last; ++oy) {
                const int y0 = max(oy * stride_y - pad_top, 0);
                for (int ox = ox_first; ox <= ox_last; ++ox) {
                    const int x0 = max(ox * stride_x - pad_left, 0), x1 = min(ox * stride_x - pad_left + pool_w, width);
                    const int o = ((n * out_h + oy) * out_w + ox) * channels + c;
                    const float16 maximum = vload16(0, output + o);
                    int16 first = value == maximum;
                    if (through_relu) first &= value > (float16)(0.0f);
                    for (int yy = y0; yy <= y; ++yy) {
                        const int x_end = yy == y ? x : x1;
                        for (int xx = x0; xx < x_end; ++xx) first &= vload16(0, image + (yy * width + xx) * channels + c) != maximum;
                    }
                    sum += select((float16)(0.0f), vload16(0, output_gradient + o), first);
                }
            }
            vstore16(sum, 0, input_gradient + pixel + c);
        }
        return;
    }
    for (int c = 0; c < channels; ++c) {
        const float value = input[pixel + c];
        float sum = 0.0f;
        for (int oy = oy_first; oy <= oy_last; ++oy) {
            const int y0 = max(oy * stride_y - pad_top, 0);
            for (int ox = ox_first; ox <= ox_last; ++ox) {
                const int x0 = max(ox * stride_x - pad_left, 0), x1 = min(ox * stride_x - pad_left + pool_w, width);
                const int o = ((n * out_h + oy) * out_w + ox) * channels + c;
                const float maximum = output[o];
                int first = value == maximum && (!through_relu || value > 0.0f);
                for (int yy = y0; yy <= y; ++yy) {
                    const int x_end = yy == y ? x : x1;
                    for (int xx = x0; xx < x_end; ++xx) first &= image[(yy * width + xx) * channels + c] != maximum;
                }
                if (first) sum += output_gradient[o];
            }
        }
        input_gradient[pixel + c] = sum;
    }
}

// input_gradient from the winners a fused forward pass recorded (conv_pool.cl), for windows that
// do not overlap: each pixel is in at most one window and takes that window's gradient where it
// is the window's winner (position y * width + x; -1 is nobody), 0 elsewhere, added to 0 as
// max_pool_backward's sum is, so the values are that gather's. Work-item (x, y, n) writes every
// channel of its pixel.
__kernel void max_pool_backward_winners(__global const int* winners, __global const float* output_gradient,
                                        __global float* input_gradient, POOL_GEOMETRY) {
    const int x = get_global_id(0), y = get_global_id(1), n = get_global_id(2);
    if (x >= width) return;
    const size_t pixel = (size_t)((n * height + y) * width + x) * channels;
    const int oy = first_pool_window(y, pad_top, pool_h, stride_y), ox = first_pool_window(x, pad_left, pool_w, stride_x);
    // A pixel between windows (a stride longer than the pool) is in none.
    const int covered = oy <= min((y + pad_top) / stride_y, out_h - 1) && ox <= min((x + pad_left) / stride_x, out_w - 1);
    const size_t window = (size_t)((n * out_h + oy) * out_w + ox) * channels;
    const int position = y * width + x;
    if (channels >= 16) {
        FOR_EACH_BLOCK(c) {
            float16 g = (float16)(0.0f);
            if (covered) {
                const int16 wins = vload16(0, winners + window + c) == (int16)(position);
                g = select((float16)(0.0f), vload16(0, output_gradient + window + c), wins) + (float16)(0.0f);
            }
            vstore16(g, 0, input_gradient + pixel + c);
        }
        return;
    }
    for (int c = 0; c < channels; ++c) {
        input_gradient[pixel + c] = covered && winners[window + c] == position ? 0.0f + output_gradient[window + c] : 0.0f;
    }
}
