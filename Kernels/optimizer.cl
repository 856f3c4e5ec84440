// Parameter updates with Keras semantics, one work-item per parameter.

// SGD: v = momentum * v - lr * g; w += v, or with Nesterov w += momentum * v - lr * g.
__kernel void sgd_step(__global float* w, __global const float* g, __global float* v, const int n,
                       const float lr, const float momentum, const int nesterov) {
    int i = get_global_id(0);
    if (i >= n) return;
    float velocity = momentum * v[i] - lr * g[i];
    v[i] = velocity;
    w[i] += nesterov ? momentum * velocity - lr * g[i] : velocity;
}

// Adam as Keras does it: alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t) comes from the host;
// m += (g - m)(1 - beta1); v += (g^2 - v)(1 - beta2); w -= alpha * m / (sqrt(v) + epsilon).
__kernel void adam_step(__global float* w, __global const float* g, __global float* m, __global float* v,
                        const int n, const float alpha, const float beta1, const float beta2, const float epsilon) {
    int i = get_global_id(0);
    if (i >= n) return;
    float gi = g[i];
    float mi = m[i] + (gi - m[i]) * (1.0f - beta1);
    float vi = v[i] + (gi * gi - v[i]) * (1.0f - beta2);
    m[i] = mi;
    v[i] = vi;
    w[i] -= alpha * mi / (sqrt(vi) + epsilon);
}
