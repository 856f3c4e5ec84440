// Matrix multiply, row-major: C = epilogue(alpha * op(A) * op(B) + beta * C), with
// op(A) M x K (stored K x M when TRANS_A), op(B) K x N, and an epilogue that adds a bias per
// column and applies ReLU. beta == 0 never reads C, so C may start as garbage (NaN included).

// gemm_reference: one work-item per value of C; correct for every shape, the baseline that the
// fast variants are tested against and the choice for tiny products where packing costs more.
__kernel void gemm_reference(__global const float* A, __global const float* B, __global float* C,
                             __global const float* bias, const int M, const int N, const int K,
                             const int lda, const int ldb, const int trans_a, const int trans_b,
                             const float alpha, const float beta, const int has_bias, const int relu) {
    // Rows on dimension 0: its grid is unbounded in practice, while NVIDIA caps dimension 1 at
    // 65535 groups, and M (batch x positions for a convolution) is the side that grows.
    int m = get_global_id(0);
    int n = get_global_id(1);
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

// ---------------------------------------------------------------------------------------------
// packed: for CPU devices (PoCL). Built with -D MR=<rows> -D NV=<16-wide vectors per row>.
//
// A CPU runs a work-item as ordinary scalar + SIMD code, so the fast shape is the BLAS one:
// each work-item keeps an MR x (16*NV) block of C in float16 registers and, per k, loads NV
// vectors of B and broadcasts MR values of A. The packing kernels first copy op(A) and op(B)
// into zero-padded panels laid out in exactly the order the k-loop reads them, so the loop only
// streams forward through two contiguous arrays (no strides, no transposes, no bounds checks),
// and neighbouring work-items (one work-group) share a B panel while it sits in cache. Padding
// lanes only ever meet padding lanes of C, which are not stored; they are zeroed anyway so that
// uninitialised scratch (NaN, denormals, which would slow the FMAs) never enters the loop.
// ---------------------------------------------------------------------------------------------
#if defined(MR) && defined(NV)
#define NR (16 * NV)

// One row of a panel: dst[k][w] = X[k][l0 + w] for w < W (zero where l0 + w >= L), where X is
// the K x L matrix op(A)^T or op(B), stored either row by row (X[k][l] = src[k*ld + l]) or
// transposed (X[k][l] = src[l*ld + k], `strided`).
static inline void pack_row(__global const float* src, __global float* dst, const int L, const int ld,
                     const int strided, const int W, const int k, const int l0) {
    if (!strided) {
        __global const float* row = src + (size_t)k * ld + l0;
        if (l0 + W <= L) {
            for (int w = 0; w < W; ++w) dst[w] = row[w];
        } else {
            for (int w = 0; w < W; ++w) dst[w] = (l0 + w < L) ? row[w] : 0.0f;
        }
    } else {
        __global const float* column = src + (size_t)l0 * ld + k;
        if (l0 + W <= L) {
            for (int w = 0; w < W; ++w) dst[w] = column[(size_t)w * ld];
        } else {
            for (int w = 0; w < W; ++w) dst[w] = (l0 + w < L) ? column[(size_t)w * ld] : 0.0f;
        }
    }
}

// packed_a[p][k][r] = op(A)[p*MR + r][k]: one work-item per (k, panel p).
__kernel void gemm_pack_a(__global const float* A, __global float* packed, const int M, const int K,
                          const int lda, const int trans_a) {
    const int k = get_global_id(0), p = get_global_id(1);
    if (k >= K || p * MR >= M) return;
    // op(A)^T is K x M: stored row by row exactly when A is stored transposed.
    pack_row(A, packed + ((size_t)p * K + k) * MR, M, lda, !trans_a, MR, k, p * MR);
}

// packed_b[p][k][c] = op(B)[k][p*NR + c]: one work-item per (k, panel p).
__kernel void gemm_pack_b(__global const float* B, __global float* packed, const int N, const int K,
                          const int ldb, const int trans_b) {
    const int k = get_global_id(0), p = get_global_id(1);
    if (k >= K || p * NR >= N) return;
    pack_row(B, packed + ((size_t)p * K + k) * NR, N, ldb, trans_b, NR, k, p * NR);
}

// Stores up to 16 values of one row of C through the epilogue; `count` < 16 at the right edge.
static inline void store_c16(__global float* out, __global const float* bias, float16 value, const int count,
                      const float beta, const int has_bias, const int relu) {
    if (count == 16) {
        if (beta != 0.0f) value += beta * vload16(0, out);
        if (has_bias) value += vload16(0, bias);
        if (relu) value = fmax(value, 0.0f);
        vstore16(value, 0, out);
        return;
    }
    float lanes[16];
    vstore16(value, 0, lanes);
    for (int i = 0; i < count; ++i) {
        float x = lanes[i];
        if (beta != 0.0f) x += beta * out[i];
        if (has_bias) x += bias[i];
        if (relu) x = fmax(x, 0.0f);
        out[i] = x;
    }
}

// C block (row panel gid0, column panel gid1) = epilogue(alpha * Apanel * Bpanel + beta * C).
__kernel void gemm_packed(__global const float* packed_a, __global const float* packed_b, __global float* C,
                          __global const float* bias, const int M, const int N, const int K,
                          const float alpha, const float beta, const int has_bias, const int relu) {
    const int row0 = get_global_id(0) * MR, col0 = get_global_id(1) * NR;
    if (row0 >= M || col0 >= N) return;
    __global const float* a = packed_a + (size_t)get_global_id(0) * K * MR;
    __global const float* b = packed_b + (size_t)get_global_id(1) * K * NR;

    float16 acc[MR][NV];
#pragma unroll
    for (int r = 0; r < MR; ++r)
#pragma unroll
        for (int v = 0; v < NV; ++v) acc[r][v] = (float16)(0.0f);

    for (int k = 0; k < K; ++k, a += MR, b += NR) {
        float16 bv[NV];
#pragma unroll
        for (int v = 0; v < NV; ++v) bv[v] = vload16(v, b);
#pragma unroll
        for (int r = 0; r < MR; ++r) {
            const float16 ar = (float16)(a[r]);
#pragma unroll
            for (int v = 0; v < NV; ++v) acc[r][v] = fma(ar, bv[v], acc[r][v]);
        }
    }

#pragma unroll
    for (int r = 0; r < MR; ++r) {
        if (row0 + r >= M) break;
#pragma unroll
        for (int v = 0; v < NV; ++v) {
            const int col = col0 + 16 * v;
            if (col >= N) break;
            store_c16(C + (size_t)(row0 + r) * N + col, bias + col, alpha * acc[r][v], min(16, N - col),
                      beta, has_bias, relu);
        }
    }
}
#endif

// ---------------------------------------------------------------------------------------------
// tiled: for GPUs. Built with -D TSM=<rows of C per group> -D TSN=<columns> -D TSK=<k per tile>
// -D WPTM=<rows per work-item> -D WPTN=<columns per work-item>.
//
// A work-group of (TSN/WPTN) x (TSM/WPTM) work-items computes a TSM x TSN tile of C. Per step of
// TSK, the group stages a TSM x TSK tile of op(A) and a TSK x TSN tile of op(B) in local memory,
// every value read from global memory once per group instead of once per work-item, and each
// work-item then computes a WPTM x WPTN register block from local memory. Loads are zero-padded
// past the matrix edges, so every shape works and the inner loop has no bounds checks.
//
// Groups and work-items are laid out differently. Within a group, local dimension 0 runs along
// the columns of C (neighbouring work-items store neighbouring addresses: coalesced), dimension 1
// along its rows. Across groups it is the other way round: group id 0 picks the tile's rows,
// group id 1 its columns. M is the dimension that gets huge (a convolution's im2col GEMM has
// M = batch * OH * OW, millions), and GPUs cap the group count in dimension 1 far lower than in
// dimension 0 (NVIDIA: 65535 against 2^31 - 1, which with TSM = 64 would stop M near 4.19M);
// N (filters, classes) stays small. So the NDRange is (row groups * RTSN, column groups * RTSM)
// with work-groups of (RTSN, RTSM): each dimension a whole number of groups, as OpenCL 1.2 needs.
// ---------------------------------------------------------------------------------------------
#if defined(TSM) && defined(TSN) && defined(TSK) && defined(WPTM) && defined(WPTN)
// -D PAD=<words> pads each k-row of the local tiles. Untransposed A is staged with consecutive
// work-items on consecutive k, so without padding their stores are TSM words apart: with
// TSM = 64 on 32 banks, all in one bank. A pad of 1 spreads them over every bank.
#ifndef PAD
#define PAD 0
#endif
#define A_STRIDE (TSM + PAD)
#define B_STRIDE (TSN + PAD)
#define RTSM (TSM / WPTM)  // work-items along M
#define RTSN (TSN / WPTN)  // work-items along N
#define TILE_THREADS (RTSM * RTSN)
#if (TSM * TSK) % TILE_THREADS != 0 || (TSK * TSN) % TILE_THREADS != 0
#error "each work-item must load the same number of values of each tile"
#endif

// -D VW=4 stages the tiles with vector loads: each work-item reads 4 consecutive values of X as
// stored (one 16-byte load where all 4 lie inside the matrix, 4 guarded loads at its edges),
// so a warp reads whole 512-byte lines per instruction. VW=1 (the default) loads one at a time.
#ifndef VW
#define VW 1
#endif
#if VW != 1 && VW != 4
#error "VW must be 1 or 4"
#endif
#if (TSM * TSK) % (TILE_THREADS * VW) != 0 || (TSK * TSN) % (TILE_THREADS * VW) != 0 || TSK % VW != 0 || TSM % VW != 0 \
    || TSN % VW != 0
#error "each work-item must load the same number of vectors of each tile"
#endif

// Work-item `tid` stages its share of op(X)'s tile of `rows` x TSK values, op(X) being `R` x `K`.
// Consecutive work-items read consecutive addresses of X as stored (coalesced on a GPU): along k
// when X is stored as op(X), along the rows of op(X) when it is stored transposed, VW values
// each. The tile goes to tile[k][row] (k-major, `stride` words per k), so the compute loop reads
// rows of the tile with stride 1.
static inline void load_tile(__global const float* X, __local float* tile, const int rows, const int stride,
                             const int R, const int K, const int ld, const int transposed, const int row0,
                             const int k0, const int tid) {
    for (int i = tid * VW; i < rows * TSK; i += TILE_THREADS * VW) {
        // The first of the work-item's VW values; the others follow along the stored axis,
        // which VW divides, so they stay in one row (or k-row) of the tile.
        const int r = transposed ? i % rows : i / TSK;
        const int k = transposed ? i / rows : i % TSK;
        const int gr = row0 + r, gk = k0 + k;
        float values[VW];
#if VW == 4
        const int whole = transposed ? gk < K && gr + 3 < R : gr < R && gk + 3 < K;
        if (whole) {
            vstore4(vload4(0, transposed ? X + (size_t)gk * ld + gr : X + (size_t)gr * ld + gk), 0, values);
        } else {
            for (int j = 0; j < VW; ++j) {
                const int jr = transposed ? gr + j : gr, jk = transposed ? gk : gk + j;
                values[j] = jr < R && jk < K ? (transposed ? X[(size_t)jk * ld + jr] : X[(size_t)jr * ld + jk]) : 0.0f;
            }
        }
#else
        values[0] = gr < R && gk < K ? (transposed ? X[(size_t)gk * ld + gr] : X[(size_t)gr * ld + gk]) : 0.0f;
#endif
        for (int j = 0; j < VW; ++j) tile[(transposed ? k : k + j) * stride + (transposed ? r + j : r)] = values[j];
    }
}

__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1)))
void gemm_tiled(__global const float* A, __global const float* B, __global float* C, __global const float* bias,
                const int M, const int N, const int K, const int lda, const int ldb,
                const int trans_a, const int trans_b, const float alpha, const float beta,
                const int has_bias, const int relu) {
    const int tn = get_local_id(0), tm = get_local_id(1);
    const int tid = tm * RTSN + tn;
    // Rows of C by group 0, columns by group 1 (see above): M may need more groups than a GPU
    // allows in dimension 1. The groups are counted from the global ids, not get_group_id, which
    // ignores the global offset of a launch the host split (CommandQueue.enqueue).
    const int row0 = (int)(get_global_id(0) / RTSN) * TSM, col0 = (int)(get_global_id(1) / RTSM) * TSN;
    __local float a_tile[TSK * A_STRIDE];  // a_tile[k][m] = op(A)[row0 + m][k0 + k]
    __local float b_tile[TSK * B_STRIDE];  // b_tile[k][n] = op(B)[k0 + k][col0 + n]

    float acc[WPTM][WPTN];
    for (int wm = 0; wm < WPTM; ++wm)
        for (int wn = 0; wn < WPTN; ++wn) acc[wm][wn] = 0.0f;

    for (int k0 = 0; k0 < K; k0 += TSK) {
        load_tile(A, a_tile, TSM, A_STRIDE, M, K, lda, trans_a, row0, k0, tid);
        // op(B)^T is N x K, stored as such exactly when B is stored transposed.
        load_tile(B, b_tile, TSN, B_STRIDE, N, K, ldb, !trans_b, col0, k0, tid);
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int k = 0; k < TSK; ++k) {
            // Work-item (tm, tn) owns rows tm + wm*RTSM and columns tn + wn*RTSN: neighbouring
            // work-items read neighbouring local words (no bank conflicts) and, at the store,
            // write neighbouring columns of C (coalesced).
            float a[WPTM], b[WPTN];
            for (int wm = 0; wm < WPTM; ++wm) a[wm] = a_tile[k * A_STRIDE + tm + wm * RTSM];
            for (int wn = 0; wn < WPTN; ++wn) b[wn] = b_tile[k * B_STRIDE + tn + wn * RTSN];
            for (int wm = 0; wm < WPTM; ++wm)
                for (int wn = 0; wn < WPTN; ++wn) acc[wm][wn] = fma(a[wm], b[wn], acc[wm][wn]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (int wm = 0; wm < WPTM; ++wm) {
        const int row = row0 + tm + wm * RTSM;
        if (row >= M) break;
        for (int wn = 0; wn < WPTN; ++wn) {
            const int col = col0 + tn + wn * RTSN;
            if (col >= N) break;
            float value = alpha * acc[wm][wn];
            if (beta != 0.0f) value += beta * C[(size_t)row * N + col];
            if (has_bias) value += bias[col];
            if (relu) value = fmax(value, 0.0f);
            C[(size_t)row * N + col] = value;
        }
    }
}
#endif
