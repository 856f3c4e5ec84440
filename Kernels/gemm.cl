// Matrix multiply, row-major: C = epilogue(alpha * op(A) * op(B) + beta * C), with
// op(A) M x K (stored K x M when TRANS_A), op(B) K x N, and an epilogue that adds a bias per
// column and applies ReLU. beta == 0 never reads C, so C may start as garbage (NaN included).

// gemm_reference: one work-item per value of C; correct for every shape, the baseline that the
// fast variants are tested against and the choice for tiny products where packing costs more.
__kernel void gemm_reference(__global const float* A, __global const float* B, __global float* C,
                             __global const float* bias, const int M, const int N, const int K,
                             const int lda, const int ldb, const int trans_a, const int trans_b,
                             const float alpha, const float beta, const int has_bias, const int relu) {
    int n = get_global_id(0);
    int m = get_global_id(1);
    if (m >= M || n >= N) return;
    float sum = 0.0f;
    for (int k = 0; k < K; ++k) {
        float a = trans_a ? A[k * lda + m] : A[m * lda + k];
        float b = trans_b ? B[n * ldb + k] : B[k * ldb + n];
        sum = fma(a, b, sum);
    }
    float value = alpha * sum;
    if (beta != 0.0f) value += beta * C[m * N + n];
    if (has_bias) value += bias[n];
    if (relu) value = fmax(value, 0.0f);
    C[m * N + n] = value;
}
