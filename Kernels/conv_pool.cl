// A one-channel convolution fused with the max pooling of its output, for windows that do not
// overlap (each stride at least the pool size), as the CPU backend fuses them
// (ConvolutionPoolingLoops.swift). The layouts and geometry are conv.cl's and pool.cl's.
//
// The pooled rows are taken in bands: band oy holds the convolution rows from its window's
// first row to the next window's (the first band from row 0, the last to the bottom), so the
// bands of an image tile it. Work-items loop over 16 filters at a time in float16 (at least 16
// filters; the last block overlaps the one before, which is harmless where blocks are stored,
// not accumulated), without barriers: the shape PoCL runs fast. On PoCL (2-core EPYC, batch
// 128) these took the cnn model's epoch on OpenCL from 6.3 s (im2col + GEMM, pooling and the
// gradient's column sums by parts) to 2.8 s. GPUs run the pair by parts
// (OpenCLBackend+ConvolutionPooling.swift).

#define CONV_GEOMETRY const int batch, const int height, const int width, const int channels, \
    const int kernel_h, const int kernel_w, const int stride_y, const int stride_x,             \
    const int pad_top, const int pad_left, const int out_h, const int out_w

#define POOL_GEOMETRY const int pool_height, const int pool_width, const int pool_h, const int pool_w, \
    const int pool_stride_y, const int pool_stride_x, const int pool_pad_top, const int pool_pad_left, \
    const int pooled_h, const int pooled_w

// The most taps a kernel may have here (5x5); larger kernels run by parts.
#define MAX_TAPS 25

#define FOR_EACH_FILTER_BLOCK(o) for (int o##_next = 0, o = 0; o##_next < filters; \
                                      o##_next += 16, o = min(o##_next, filters - 16))

// s0..s3 (the caller's) = the bias (or 0) plus taps[p][t] times the kernel's filters o ... o + 15,
// tap by tap in order by fused multiply-adds, then the ReLU when relu: the four positions whose
// taps were gathered, or only the first when `four` is 0. Both forward kernels sum through this,
// so their pooled values agree bit for bit. A macro, not a function: PoCL kept arrays passed to
// a helper in memory.
#define SUMS_OF_FOUR(o, four) do {                                                               \
        const float16 start_ = has_bias ? vload16(0, bias + (o)) : (float16)(0.0f);             \
        s0 = start_; s1 = start_; s2 = start_; s3 = start_;                                     \
        for (int t = 0; t < kernel_h * kernel_w; ++t) {                                         \
            const float16 k = vload16(0, kernel_weights + t * filters + (o));                   \
            s0 = fma((float16)(taps[0][t]), k, s0);                                             \
            if (four) {                                                                         \
                s1 = fma((float16)(taps[1][t]), k, s1);                                         \
                s2 = fma((float16)(taps[2][t]), k, s2);                                         \
                s3 = fma((float16)(taps[3][t]), k, s3);                                         \
            }                                                                                   \
        }                                                                                       \
        if (relu) {                                                                             \
            s0 = select(s0, (float16)(0.0f), s0 < (float16)(0.0f));                             \
            s1 = select(s1, (float16)(0.0f), s1 < (float16)(0.0f));                             \
            s2 = select(s2, (float16)(0.0f), s2 < (float16)(0.0f));                             \
            s3 = select(s3, (float16)(0.0f), s3 < (float16)(0.0f));                             \
        }                                                                                       \
    } while (0)

// The convolution rows of pooled row oy's band.
static int band_start(const int oy, const int pool_stride_y, const int pool_pad_top) {
    return oy == 0 ? 0 : max(0, oy * pool_stride_y - pool_pad_top);
}

static int band_end(const int oy, const int pooled_h, const int pool_height, const int pool_stride_y,
                    const int pool_pad_top) {
    return oy == pooled_h - 1 ? pool_height : min(pool_height, (oy + 1) * pool_stride_y - pool_pad_top);
}

// Tap (ky, kx) of convolution position (y, x) of image `image`: 0 in the padding. `inside`:
// no window reaches the padding (see all_taps_inside), so nothing needs checking.
static float tap(__global const float* image, const int y, const int x, const int ky, const int kx,
                 const int stride_y, const int stride_x, const int pad_top, const int pad_left,
                 const int height, const int width, const int inside) {
    const int iy = y * stride_y - pad_top + ky, ix = x * stride_x - pad_left + kx;
    if (inside) return image[iy * width + ix];
    return iy >= 0 && iy < height && ix >= 0 && ix < width ? image[iy * width + ix] : 0.0f;
}

// Whether every window lies in the image (valid padding, or same padding that adds nothing).
static int all_taps_inside(const int height, const int width, const int kernel_h, const int kernel_w,
                           const int stride_y, const int stride_x, const int pad_top, const int pad_left,
                           const int out_h, const int out_w) {
    return pad_top == 0 && pad_left == 0 && (out_h - 1) * stride_y + kernel_h <= height
        && (out_w - 1) * stride_x + kernel_w <= width;
}

// Work-item b = n * pooled_h + oy: its band's convolution rows (bias, then ReLU if relu), into
// convolved, then their pooling into pooled row oy.
__kernel void conv1_max_pool_forward(__global const float* input, __global const float* kernel_weights,
                                     __global const float* bias, const int has_bias, const int relu,
                                     __global float* convolved, __global float* pooled, const int filters,
                                     CONV_GEOMETRY, POOL_GEOMETRY) {
    const int b = get_global_id(0);
    if (b >= batch * pooled_h) return;
    const int n = b / pooled_h, oy = b % pooled_h;
    const int inside = all_taps_inside(height, width, kernel_h, kernel_w, stride_y, stride_x, pad_top, pad_left, out_h, out_w);
    __global const float* image = input + (size_t)n * height * width;
    __global float* conv_image = convolved + (size_t)n * out_h * out_w * filters;
    const int y_end = band_end(oy, pooled_h, pool_height, pool_stride_y, pool_pad_top);
    for (int y = band_start(oy, pool_stride_y, pool_pad_top); y < y_end; ++y) {
        // Four neighbouring positions at a time, so that four sums are in flight and each
        // kernel row is loaded once for them; the last four overlap the ones before when the
        // row is not a multiple of four (stored, not accumulated: harmless).
        const int step = out_w >= 4 ? 4 : 1;
        for (int next = 0; next < out_w; next += step) {
            const int x = step == 4 ? min(next, out_w - 4) : next;
            float taps[4][MAX_TAPS];
            for (int p = 0; p < step; ++p) {
                for (int ky = 0, t = 0; ky < kernel_h; ++ky) {
                    for (int kx = 0; kx < kernel_w; ++kx, ++t) {
                        taps[p][t] = tap(image, y, x + p, ky, kx, stride_y, stride_x, pad_top, pad_left, height, width, inside);
                    }
                }
            }
            __global float* out = conv_image + (size_t)(y * out_w + x) * filters;
            FOR_EACH_FILTER_BLOCK(o) {
                float16 s0, s1, s2, s3;
                SUMS_OF_FOUR(o, step == 4);
                vstore16(s0, 0, out + o);
                if (step == 4) {
                    vstore16(s1, 0, out + filters + o);
                    vstore16(s2, 0, out + 2 * filters + o);
                    vstore16(s3, 0, out + 3 * filters + o);
                }
            }
        }
    }
    // The pooling of the band, as max_pool_forward in pool.cl.
    const int ys = oy * pool_stride_y - pool_pad_top;
    const int y0 = max(ys, 0), y1 = min(ys + pool_h, pool_height);
    for (int ox = 0; ox < pooled_w; ++ox) {
        const int xs = ox * pool_stride_x - pool_pad_left;
        const int x0 = max(xs, 0), x1 = min(xs + pool_w, out_w);
        __global float* out = pooled + (size_t)((n * pooled_h + oy) * pooled_w + ox) * filters;
        FOR_EACH_FILTER_BLOCK(o) {
            float16 best = vload16(0, conv_image + (y0 * out_w + x0) * filters + o);
            for (int y = y0; y < y1; ++y) {
                for (int x = x0; x < x1; ++x) {
                    const float16 v = vload16(0, conv_image + (y * out_w + x) * filters + o);
                    best = select(best, v, v > best);
                }
            }
            vstore16(best, 0, out + o);
        }
    }
}

// Keeps (s, its position) where s beats best: the window's first maximum so far, and where it is.
#define FOLD(s, y, x) do { const int16 greater = (s) > best; best = select(best, (s), greater); \
                           winner = select(winner, (int16)((y) * out_w + (x)), greater); } while (0)

// conv1_max_pool_forward without storing the convolution (for a training step, whose backward
// pass needs only where each maximum was): work-item b = n * pooled_h + oy convolves only its
// windows' positions, four at a time in each window's row-major order (the last four repeating
// its last position, which never beats itself), and keeps each window's first maximum in
// pooled and its position y * out_w + x in winners: -1 where no gradient flows back (a NaN
// maximum, or with relu one not above 0). A window of more than four positions keeps its
// search so far in pooled and winners between fours. Each four's taps are gathered once for
// every filter block, and the sums run in conv1_max_pool_forward's order, so pooled is the
// same bit for bit.
__kernel void conv1_max_pool_forward_winners(__global const float* input, __global const float* kernel_weights,
                                             __global const float* bias, const int has_bias, const int relu,
                                             __global float* pooled, __global int* winners, const int filters,
                                             CONV_GEOMETRY, POOL_GEOMETRY) {
    const int b = get_global_id(0);
    if (b >= batch * pooled_h) return;
    const int n = b / pooled_h, oy = b % pooled_h;
    const int inside = all_taps_inside(height, width, kernel_h, kernel_w, stride_y, stride_x, pad_top, pad_left, out_h, out_w);
    __global const float* image = input + (size_t)n * height * width;
    const int ys = oy * pool_stride_y - pool_pad_top;
    const int y0 = max(ys, 0), y1 = min(ys + pool_h, pool_height);
    for (int ox = 0; ox < pooled_w; ++ox) {
        const int xs = ox * pool_stride_x - pool_pad_left;
        const int x0 = max(xs, 0), x1 = min(xs + pool_w, out_w);
        const int positions = (y1 - y0) * (x1 - x0);
        __global float* best_out = pooled + (size_t)((n * pooled_h + oy) * pooled_w + ox) * filters;
        __global int* winner_out = winners + (size_t)((n * pooled_h + oy) * pooled_w + ox) * filters;
        // The next position of the window, advanced without a division per position.
        int next_y = y0, next_x = x0;
        for (int first = 0; first < positions; first += 4) {
            int py[4], px[4];
            float taps[4][MAX_TAPS];
            for (int i = 0; i < 4; ++i) {
                if (first + i < positions) {
                    py[i] = next_y;
                    px[i] = next_x;
                    if (++next_x == x1) {
                        next_x = x0;
                        ++next_y;
                    }
                } else {
                    py[i] = py[i - 1];
                    px[i] = px[i - 1];
                }
                for (int ky = 0, t = 0; ky < kernel_h; ++ky) {
                    for (int kx = 0; kx < kernel_w; ++kx, ++t) {
                        taps[i][t] = tap(image, py[i], px[i], ky, kx, stride_y, stride_x, pad_top, pad_left, height, width, inside);
                    }
                }
            }
            const int last = first + 4 >= positions;
            FOR_EACH_FILTER_BLOCK(o) {
                float16 s0, s1, s2, s3;
                SUMS_OF_FOUR(o, 1);
                float16 best;
                int16 winner;
                if (first == 0) {
                    // The window's first position starts the search, as in max_pool_forward.
                    best = s0;
                    winner = (int16)(py[0] * out_w + px[0]);
                } else {
                    best = vload16(0, best_out + o);
                    winner = vload16(0, winner_out + o);
                    FOLD(s0, py[0], px[0]);
                }
                FOLD(s1, py[1], px[1]);
                FOLD(s2, py[2], px[2]);
                FOLD(s3, py[3], px[3]);
                if (last) winner = select((int16)(-1), winner, relu ? best > (float16)(0.0f) : best == best);
                vstore16(best, 0, best_out + o);
                vstore16(winner, 0, winner_out + o);
            }
        }
    }
}

// Work-item (chunk, pair): the kernel and bias gradients' sums over bands chunk * chunk_bands
// ... + chunk_bands - 1, for filter blocks 2 * pair and 2 * pair + 1 (16 filters each; an odd
// last block paired with itself, its sums computed twice and stored, not accumulated) and taps
// in groups of nine, into row `chunk` of partials ([chunks, taps * filters + filters]: kernel
// values, then biases). Each position's gradient is its window's where it is the winner
// conv1_max_pool_forward_winners recorded, 0 elsewhere (added to 0, as max_pool_backward's sum
// is). Two blocks share each position's taps: with one block per work-item, gathering the taps
// took as long as the multiply-adds.
__kernel void conv1_max_pool_backward_partial(__global const float* input, __global const int* winners,
                                              __global const float* pooled_gradient, __global float* partials,
                                              const int chunk_bands, const int chunks, const int filters,
                                              CONV_GEOMETRY, POOL_GEOMETRY) {
    const int chunk = get_global_id(0), pair = get_global_id(1);
    if (chunk >= chunks) return;
    const int blocks = (filters + 15) / 16;
    const int oa = min(2 * pair * 16, filters - 16), ob = min(min(2 * pair + 1, blocks - 1) * 16, filters - 16);
    const int taps = kernel_h * kernel_w, row_width = taps * filters + filters;
    const int first_band = chunk * chunk_bands, bands = min(chunk_bands, batch * pooled_h - first_band);
    __global float* partial = partials + (size_t)chunk * row_width;
    const int inside = all_taps_inside(height, width, kernel_h, kernel_w, stride_y, stride_x, pad_top, pad_left, out_h, out_w);
    const float16 zero = (float16)(0.0f);
    float16 bias_a = zero, bias_b = zero;
    for (int group = 0; group < taps; group += 9) {
        // Eighteen sums in named variables: as an array PoCL kept them in memory, each
        // multiply-add waiting on the store before it.
        float16 a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero, a8 = zero;
        float16 b0 = zero, b1 = zero, b2 = zero, b3 = zero, b4 = zero, b5 = zero, b6 = zero, b7 = zero, b8 = zero;
        for (int b = first_band; b < first_band + bands; ++b) {
            const int n = b / pooled_h, oy = b % pooled_h;
            __global const float* image = input + (size_t)n * height * width;
            const int ys = oy * pool_stride_y - pool_pad_top;
            const int wy0 = max(ys, 0), wy1 = min(ys + pool_h, pool_height);
            // Only the window rows of the band can have a gradient.
            for (int y = wy0; y < wy1; ++y) {
                for (int ox = 0; ox < pooled_w; ++ox) {
                    const int xs = ox * pool_stride_x - pool_pad_left;
                    const int wx0 = max(xs, 0), wx1 = min(xs + pool_w, out_w);
                    const size_t window = (size_t)((n * pooled_h + oy) * pooled_w + ox) * filters;
                    const float16 gradient_a = vload16(0, pooled_gradient + window + oa);
                    const float16 gradient_b = vload16(0, pooled_gradient + window + ob);
                    const int16 winner_a = vload16(0, winners + window + oa), winner_b = vload16(0, winners + window + ob);
                    for (int x = wx0; x < wx1; ++x) {
                        const int16 position = (int16)(y * out_w + x);
                        const float16 ga = select(zero, gradient_a, winner_a == position) + zero;
                        const float16 gb = select(zero, gradient_b, winner_b == position) + zero;
                        if (group == 0) {
                            bias_a += ga;
                            bias_b += gb;
                        }
                        // The group's taps in (ky, kx) order without a division per tap, 0 past the last.
                        float t[9];
                        for (int i = 0, ky = group / kernel_w, kx = group % kernel_w; i < 9; ++i) {
                            t[i] = group + i < taps
                                ? tap(image, y, x, ky, kx, stride_y, stride_x, pad_top, pad_left, height, width, inside) : 0.0f;
                            if (++kx == kernel_w) { kx = 0; ++ky; }
                        }
                        a0 = fma((float16)(t[0]), ga, a0); b0 = fma((float16)(t[0]), gb, b0);
                        a1 = fma((float16)(t[1]), ga, a1); b1 = fma((float16)(t[1]), gb, b1);
                        a2 = fma((float16)(t[2]), ga, a2); b2 = fma((float16)(t[2]), gb, b2);
                        a3 = fma((float16)(t[3]), ga, a3); b3 = fma((float16)(t[3]), gb, b3);
                        a4 = fma((float16)(t[4]), ga, a4); b4 = fma((float16)(t[4]), gb, b4);
                        a5 = fma((float16)(t[5]), ga, a5); b5 = fma((float16)(t[5]), gb, b5);
                        a6 = fma((float16)(t[6]), ga, a6); b6 = fma((float16)(t[6]), gb, b6);
                        a7 = fma((float16)(t[7]), ga, a7); b7 = fma((float16)(t[7]), gb, b7);
                        a8 = fma((float16)(t[8]), ga, a8); b8 = fma((float16)(t[8]), gb, b8);
                    }
                }
            }
        }
        const float16 sums_a[9] = {a0, a1, a2, a3, a4, a5, a6, a7, a8};
        const float16 sums_b[9] = {b0, b1, b2, b3, b4, b5, b6, b7, b8};
        for (int i = 0; i < 9 && group + i < taps; ++i) {
            vstore16(sums_a[i], 0, partial + (group + i) * filters + oa);
            vstore16(sums_b[i], 0, partial + (group + i) * filters + ob);
        }
    }
    vstore16(bias_a, 0, partial + taps * filters + oa);
    vstore16(bias_b, 0, partial + taps * filters + ob);
}

// kernel_gradient and bias_gradient from the partials: column c summed over the chunks in
// order, one work-item per column.
__kernel void conv1_max_pool_sum_partials(__global const float* partials, const int chunks, const int kernel_values,
                                          const int filters, __global float* kernel_gradient, const int has_kernel,
                                          __global float* bias_gradient, const int has_bias) {
    const int c = get_global_id(0), row_width = kernel_values + filters;
    if (c >= row_width) return;
    float sum = 0.0f;
    for (int chunk = 0; chunk < chunks; ++chunk) sum += partials[(size_t)chunk * row_width + c];
    if (c < kernel_values) {
        if (has_kernel) kernel_gradient[c] = sum;
    } else if (has_bias) {
        bias_gradient[c - kernel_values] = sum;
    }
}
