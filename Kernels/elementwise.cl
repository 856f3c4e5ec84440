// Elementwise and row/column operations. One work-item per output value (or per row/column),
// guarded by a bounds check because the host rounds the range up to whole work-groups.
// Sizes are int: a tensor of 2^31 floats (8 GiB) is beyond what Signet allocates.

// y = factor * x
__kernel void scale(__global const float* x, __global float* y, const int n, const float factor) {
    int i = get_global_id(0);
    if (i < n) y[i] = factor * x[i];
}

// y = alpha * x + beta * y
__kernel void axpby(__global const float* x, __global float* y, const int n, const float alpha, const float beta) {
    int i = get_global_id(0);
    if (i < n) y[i] = alpha * x[i] + beta * y[i];
}

// x[r, c] += bias[c], then ReLU when relu != 0 (the GEMM epilogue for kernels that do not fuse it).
__kernel void bias_activation(__global float* x, __global const float* bias, const int rows, const int columns,
                              const int has_bias, const int relu) {
    int i = get_global_id(0);
    if (i >= rows * columns) return;
    float value = x[i];
    if (has_bias) value += bias[i % columns];
    if (relu) value = fmax(value, 0.0f);
    x[i] = value;
}

__kernel void relu_forward(__global const float* x, __global float* y, const int n) {
    int i = get_global_id(0);
    if (i < n) y[i] = fmax(x[i], 0.0f);
}

__kernel void tanh_forward(__global const float* x, __global float* y, const int n) {
    int i = get_global_id(0);
    if (i < n) y[i] = tanh(x[i]);
}

__kernel void sigmoid_forward(__global const float* x, __global float* y, const int n) {
    int i = get_global_id(0);
    if (i < n) y[i] = 1.0f / (1.0f + exp(-x[i]));
}

// Activation gradients from the activation's output y: dx = dy * f'(x), f' written in y.
__kernel void relu_backward(__global const float* dy, __global const float* y, __global float* dx, const int n) {
    int i = get_global_id(0);
    if (i < n) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

__kernel void tanh_backward(__global const float* dy, __global const float* y, __global float* dx, const int n) {
    int i = get_global_id(0);
    if (i < n) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

__kernel void sigmoid_backward(__global const float* dy, __global const float* y, __global float* dx, const int n) {
    int i = get_global_id(0);
    if (i < n) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}

// y[c] = beta * y[c] + sum over rows of x[r, c], rows summed top to bottom; beta == 0 never
// reads y. Alone for a short matrix; for a tall one, stage 2 over column_sums_partial's chunks.
__kernel void column_sums(__global const float* x, __global float* y, const int rows, const int columns, const float beta) {
    int c = get_global_id(0);
    if (c >= columns) return;
    float sum = 0.0f;
    for (int r = 0; r < rows; ++r) sum += x[r * columns + c];
    y[c] = beta == 0.0f ? sum : beta * y[c] + sum;
}

// Stage 1 of a tall column sum: partial[k, c] = sum of x[r, c] over chunk k's rows (chunk * k up
// to chunk * (k + 1), fewer in the last), top to bottom. One work-item per (chunk, column), the
// column varying fastest so that neighbouring work-items read neighbouring values. The chunk is
// fixed by the host, so the order of every addition depends on the shape alone, not the device.
// The chunk count comes from the host: rows + chunk - 1 could overflow int.
__kernel void column_sums_partial(__global const float* x, __global float* partial, const int rows,
                                  const int columns, const int chunk, const int chunks) {
    int i = get_global_id(0);
    if (i >= chunks * columns) return;
    int k = i / columns, c = i % columns;
    int first = k * chunk;
    int end = first + min(chunk, rows - first);
    float sum = 0.0f;
    for (int r = first; r < end; ++r) sum += x[r * columns + c];
    partial[i] = sum;
}

// Stable row-wise softmax: subtract the row maximum before exponentiating.
__kernel void softmax_rows(__global const float* x, __global float* y, const int rows, const int columns) {
    int r = get_global_id(0);
    if (r >= rows) return;
    __global const float* in = x + r * columns;
    __global float* out = y + r * columns;
    float largest = -INFINITY;
    for (int c = 0; c < columns; ++c) largest = fmax(largest, in[c]);
    float sum = 0.0f;
    for (int c = 0; c < columns; ++c) {
        float e = exp(in[c] - largest);
        out[c] = e;
        sum += e;
    }
    float inverse = 1.0f / sum;
    for (int c = 0; c < columns; ++c) out[c] *= inverse;
}

// dz = p * (dp - sum(dp * p)) per row.
__kernel void softmax_backward(__global const float* p, __global const float* dp, __global float* dz,
                               const int rows, const int columns) {
    int r = get_global_id(0);
    if (r >= rows) return;
    int o = r * columns;
    float dot = 0.0f;
    for (int c = 0; c < columns; ++c) dot += dp[o + c] * p[o + c];
    for (int c = 0; c < columns; ++c) dz[o + c] = p[o + c] * (dp[o + c] - dot);
}

// The work-group size of the *_grouped row kernels (the host launches exactly this many).
#define ROW_GROUP 64

// Reduces partial[0..ROW_GROUP) into partial[0] in a fixed tree (the same order every run),
// with `op` (fmax or +); every work-item of the group calls it, and reads partial[0] after.
#define REDUCE_GROUP(partial, lane, op) do {                                                  \
        barrier(CLK_LOCAL_MEM_FENCE);                                                          \
        for (int span = ROW_GROUP / 2; span > 0; span /= 2) {                                  \
            if ((lane) < span) partial[lane] = op(partial[lane], partial[(lane) + span]);      \
            barrier(CLK_LOCAL_MEM_FENCE);                                                      \
        }                                                                                      \
    } while (0)
#define ADD(a, b) ((a) + (b))

// softmax_rows for long rows on GPUs: work-group r does row r, its work-items striding the
// columns (neighbours reading neighbours, coalesced) and reducing the maximum and the sum
// through local memory, where one work-item per row walks a long row alone.
__kernel void softmax_rows_grouped(__global const float* x, __global float* y, const int rows, const int columns) {
    __local float partial[ROW_GROUP];
    const int r = get_group_id(0), lane = get_local_id(0);
    __global const float* in = x + (size_t)r * columns;
    __global float* out = y + (size_t)r * columns;
    float largest = -INFINITY;
    for (int c = lane; c < columns; c += ROW_GROUP) largest = fmax(largest, in[c]);
    partial[lane] = largest;
    REDUCE_GROUP(partial, lane, fmax);
    largest = partial[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    float sum = 0.0f;
    for (int c = lane; c < columns; c += ROW_GROUP) {
        const float e = exp(in[c] - largest);
        out[c] = e;
        sum += e;
    }
    partial[lane] = sum;
    REDUCE_GROUP(partial, lane, ADD);
    const float inverse = 1.0f / partial[0];
    for (int c = lane; c < columns; c += ROW_GROUP) out[c] *= inverse;
}

// softmax_backward for long rows on GPUs, as softmax_rows_grouped: the row's dot product
// reduced by the work-group, then dz = p * (dp - dot).
__kernel void softmax_backward_grouped(__global const float* p, __global const float* dp, __global float* dz,
                                       const int rows, const int columns) {
    __local float partial[ROW_GROUP];
    const int r = get_group_id(0), lane = get_local_id(0);
    const size_t o = (size_t)r * columns;
    float dot = 0.0f;
    for (int c = lane; c < columns; c += ROW_GROUP) dot += dp[o + c] * p[o + c];
    partial[lane] = dot;
    REDUCE_GROUP(partial, lane, ADD);
    dot = partial[0];
    for (int c = lane; c < columns; c += ROW_GROUP) dz[o + c] = p[o + c] * (dp[o + c] - dot);
}

// y[n, c] = mean over positions of x[n, p, c] (NHWC feature maps), positions summed in order.
__kernel void channel_means(__global const float* x, __global float* y, const int batch, const int positions,
                            const int channels) {
    int i = get_global_id(0);
    if (i >= batch * channels) return;
    int n = i / channels, c = i % channels;
    float sum = 0.0f;
    for (int p = 0; p < positions; ++p) sum += x[(n * positions + p) * channels + c];
    y[i] = sum * (1.0f / (float)max(positions, 1));
}

// c = a * b, elementwise (dropout: y = x * mask forward, dx = dy * mask backward).
__kernel void multiply(__global const float* a, __global const float* b, __global float* c, const int n) {
    int i = get_global_id(0);
    if (i < n) c[i] = a[i] * b[i];
}

// Wellons' lowbias32: a 32-bit bijection with low avalanche bias.
static uint lowbias32(uint x) {
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    return x ^ (x >> 16);
}

// Inverted dropout mask: mask[i] = scale (= 1 / (1 - rate)) where uniform(key, i) >= rate, else 0.
// uniform is a counter-based hash: lowbias32 of i * golden ratio + the key's low word, the high
// word xored in, lowbias32 again; its top 24 bits scaled to [0, 1) are exact in float, so the mask
// is bit-identical to the CPU backend's (CounterRandom.swift). The host derives key from the seed.
static float dropout_uniform(const int i, const ulong key) {
    const uint bits = lowbias32(lowbias32((uint)i * 0x9e3779b9U + (uint)key) ^ (uint)(key >> 32));
    return (float)(bits >> 8) * (1.0f / 16777216.0f);
}

__kernel void dropout_mask(__global float* mask, const int n, const ulong key, const float rate, const float scale) {
    int i = get_global_id(0);
    if (i >= n) return;
    mask[i] = dropout_uniform(i, key) >= rate ? scale : 0.0f;
}

// y = x * the mask dropout_mask would write, the mask never stored (forward, and backward on
// the gradient with the same key). y may be x.
__kernel void dropout(__global const float* x, __global float* y, const int n, const ulong key, const float rate,
                      const float scale) {
    int i = get_global_id(0);
    if (i >= n) return;
    y[i] = x[i] * (dropout_uniform(i, key) >= rate ? scale : 0.0f);
}
