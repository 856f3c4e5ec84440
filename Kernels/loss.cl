// Losses with Keras semantics, one work-item per row (sample). `batch_scale` is 1 / batch, so
// gradients are those of the batch-mean loss. EPSILON is Keras's epsilon(), the clip bound.
#define EPSILON 1e-7f

// categorical_crossentropy: p / sum(p), clipped to [eps, 1 - eps], then -sum(y * log p).
__kernel void cross_entropy_loss(__global const float* p, __global const float* y, __global float* loss,
                                 const int rows, const int columns) {
    int r = get_global_id(0);
    if (r >= rows) return;
    int o = r * columns;
    float total = 0.0f;
    for (int c = 0; c < columns; ++c) total += p[o + c];
    float sum = 0.0f;
    for (int c = 0; c < columns; ++c) {
        if (y[o + c] != 0.0f) sum -= y[o + c] * log(clamp(p[o + c] / total, EPSILON, 1.0f - EPSILON));
    }
    loss[r] = sum;
}

// mean_squared_error: mean over classes of (p - y)^2.
__kernel void mse_loss(__global const float* p, __global const float* y, __global float* loss,
                       const int rows, const int columns) {
    int r = get_global_id(0);
    if (r >= rows) return;
    int o = r * columns;
    float sum = 0.0f;
    for (int c = 0; c < columns; ++c) {
        float d = p[o + c] - y[o + c];
        sum += d * d;
    }
    loss[r] = sum / (float)columns;
}

// Cross-entropy through the softmax, from logits: p * sum(y) - y.
__kernel void cross_entropy_grad_logits(__global const float* p, __global const float* y, __global float* g,
                                        const int rows, const int columns, const float batch_scale) {
    int r = get_global_id(0);
    if (r >= rows) return;
    int o = r * columns;
    float target_sum = 0.0f;
    for (int c = 0; c < columns; ++c) target_sum += y[o + c];
    for (int c = 0; c < columns; ++c) g[o + c] = (p[o + c] * target_sum - y[o + c]) * batch_scale;
}

// Cross-entropy w.r.t. the probabilities: -y / p inside the clip range, 0 outside it.
__kernel void cross_entropy_grad_predictions(__global const float* p, __global const float* y, __global float* g,
                                             const int rows, const int columns, const float batch_scale) {
    int i = get_global_id(0);
    if (i >= rows * columns) return;
    float pi = p[i];
    g[i] = (pi > EPSILON && pi < 1.0f - EPSILON) ? -y[i] / pi * batch_scale : 0.0f;
}

// MSE w.r.t. the predictions: 2 (p - y) / classes.
__kernel void mse_grad_predictions(__global const float* p, __global const float* y, __global float* g,
                                   const int rows, const int columns, const float batch_scale) {
    int i = get_global_id(0);
    if (i >= rows * columns) return;
    g[i] = 2.0f * batch_scale / (float)columns * (p[i] - y[i]);
}

// MSE through the softmax: the prediction gradient, then dz = p * (dp - sum(dp * p)).
__kernel void mse_grad_logits(__global const float* p, __global const float* y, __global float* g,
                              const int rows, const int columns, const float batch_scale) {
    int r = get_global_id(0);
    if (r >= rows) return;
    int o = r * columns;
    float factor = 2.0f * batch_scale / (float)columns;
    float dot = 0.0f;
    for (int c = 0; c < columns; ++c) dot += factor * (p[o + c] - y[o + c]) * p[o + c];
    for (int c = 0; c < columns; ++c) g[o + c] = p[o + c] * (factor * (p[o + c] - y[o + c]) - dot);
}

// matches[r] = 1 when argmax(p[r]) == argmax(y[r]) (first index on ties), else 0.
__kernel void argmax_matches(__global const float* p, __global const float* y, __global float* matches,
                             const int rows, const int columns) {
    int r = get_global_id(0);
    if (r >= rows) return;
    int o = r * columns;
    int best_p = 0, best_y = 0;
    for (int c = 1; c < columns; ++c) {
        if (p[o + c] > p[o + best_p]) best_p = c;
        if (y[o + c] > y[o + best_y]) best_y = c;
    }
    matches[r] = best_p == best_y ? 1.0f : 0.0f;
}
