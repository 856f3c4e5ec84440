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
                const float16 start = has_bias ? vload16(0, bias + o) : (float16)(0.0f);
                float16 s0 = start, s1 = start, s2 = start, s3 = start;
                for (int t = 0; t < kernel_h * kernel_w; ++t) {
                    const float16 k = vload16(0, kernel_weights + t * filters + o);
                    s0 = fma((float16)(taps[0][t]), k, s0);
                    if (step == 4) {
                        s1 = fma((float16)(taps[1][t]), k, s1);
                        s2 = fma((float16)(taps[2][t]), k, s2);
                        s3 = fma((float16)(taps[3][t]), k, s3);
                    }
                }
                if (relu) {
                    s0 = select(s0, (float16)(0.0f), s0 < (float16)(0.0f));
                    s1 = select(s1, (float16)(0.0f), s1 < (float16)(0.0f));
                    s2 = select(s2, (float16)(0.0f), s2 < (float16)(0.0f));
                    s3 = select(s3, (float16)(0.0f), s3 < (float16)(0.0f));
                }
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

// Work-item (chunk, block): the kernel and bias gradients' sums over bands chunk * chunk_bands
// ... + chunk_bands - 1, for the 16 filters of block `block` and taps in groups of nine, into
// row `chunk` of partials ([chunks, taps * filters + filters]: kernel values, then biases).
// Each position's gradient is found from the pooling, as max_pool_backward finds it: the
// window's gradient if the position is the window's first maximum (and, through_relu, positive).
__kernel void conv1_max_pool_backward_partial(__global const float* input, __global const float* convolved,
                                              __global const float* pooled, __global const float* pooled_gradient,
                                              const int through_relu, __global float* partials, const int chunk_bands,
                                              const int chunks, const int filters, CONV_GEOMETRY, POOL_GEOMETRY) {
    const int chunk = get_global_id(0), block = get_global_id(1);
    if (chunk >= chunks) return;
    const int o = min(block * 16, filters - 16), taps = kernel_h * kernel_w, row_width = taps * filters + filters;
    const int first_band = chunk * chunk_bands, bands = min(chunk_bands, batch * pooled_h - first_band);
    __global float* partial = partials + (size_t)chunk * row_width;
    const int inside = all_taps_inside(height, width, kernel_h, kernel_w, stride_y, stride_x, pad_top, pad_left, out_h, out_w);
    float16 bias_sum = (float16)(0.0f);
    for (int group = 0; group < taps; group += 9) {
        // Nine sums in named variables: as an array PoCL kept them in memory, each
        // multiply-add waiting on the store before it.
        float16 s0 = (float16)(0.0f), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0, s8 = s0;
        for (int b = first_band; b < first_band + bands; ++b) {
            const int n = b / pooled_h, oy = b % pooled_h;
            __global const float* image = input + (size_t)n * height * width;
            __global const float* conv_image = convolved + (size_t)n * out_h * out_w * filters;
            const int ys = oy * pool_stride_y - pool_pad_top;
            const int wy0 = max(ys, 0), wy1 = min(ys + pool_h, pool_height);
            // Only the window rows of the band can have a gradient.
            for (int y = wy0; y < wy1; ++y) {
                for (int ox = 0; ox < pooled_w; ++ox) {
                    const int xs = ox * pool_stride_x - pool_pad_left;
                    const int wx0 = max(xs, 0), wx1 = min(xs + pool_w, out_w);
                    const size_t window = (size_t)((n * pooled_h + oy) * pooled_w + ox) * filters + o;
                    const float16 maximum = vload16(0, pooled + window);
                    float16 remaining = vload16(0, pooled_gradient + window);
                    if (through_relu) remaining = select(remaining, (float16)(0.0f), maximum <= (float16)(0.0f));
                    // Positions of the window before row y take their lanes' gradient first.
                    for (int yy = wy0; yy < y; ++yy) {
                        for (int xx = wx0; xx < wx1; ++xx) {
                            const float16 v = vload16(0, conv_image + (yy * out_w + xx) * filters + o);
                            remaining = select(remaining, (float16)(0.0f), v == maximum);
                        }
                    }
                    for (int x = wx0; x < wx1; ++x) {
                        const float16 v = vload16(0, conv_image + (y * out_w + x) * filters + o);
                        const int16 first = v == maximum;
                        const float16 g = select((float16)(0.0f), remaining, first) + (float16)(0.0f);
                        remaining = select(remaining, (float16)(0.0f), first);
                        if (group == 0) bias_sum += g;
                        // The group's taps in (ky, kx) order without a division per tap, 0 past the last.
                        float taps_v[9];
                        for (int i = 0, ky = group / kernel_w, kx = group % kernel_w; i < 9; ++i) {
                            taps_v[i] = group + i < taps
                                ? tap(image, y, x, ky, kx, stride_y, stride_x, pad_top, pad_left, height, width, inside) : 0.0f;
                            if (++kx == kernel_w) { kx = 0; ++ky; }
                        }
                        s0 = fma((float16)(taps_v[0]), g, s0);
                        s1 = fma((float16)(taps_v[1]), g, s1);
                        s2 = fma((float16)(taps_v[2]), g, s2);
                        s3 = fma((float16)(taps_v[3]), g, s3);
                        s4 = fma((float16)(taps_v[4]), g, s4);
                        s5 = fma((float16)(taps_v[5]), g, s5);
                        s6 = fma((float16)(taps_v[6]), g, s6);
                        s7 = fma((float16)(taps_v[7]), g, s7);
                        s8 = fma((float16)(taps_v[8]), g, s8);
                    }
                }
            }
        }
        const float16 sums[9] = {s0, s1, s2, s3, s4, s5, s6, s7, s8};
        for (int i = 0; i < 9 && group + i < taps; ++i) vstore16(sums[i], 0, partial + (group + i) * filters + o);
    }
    vstore16(bias_sum, 0, partial + taps * filters + o);
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
