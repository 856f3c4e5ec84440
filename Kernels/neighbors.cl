// k nearest neighbours (Backend.kNearest): each work-item owns its query rows, scans the points
// in index order and keeps each row's k nearest, sorted, in private memory (at most MAX_K).
//
// Every squared distance is max(0, (|q|^2 + |p|^2) - 2 q.p) with q.p one chain of fma over the
// dimensions in order, from 0: the same operations, in the same order, as the CPU backend's
// panel products, so both backends get the same float32 values from the same norms, and so
// the same neighbours, ties included. The norms are added first, so the distance from q to p
// is the one from p to q (the CPU backend's symmetric scan computes each pair once). A point enters a list only when strictly nearer than its
// current k-th entry and goes after every entry of equal distance: points come in index order,
// so ties keep the lower index first. NaN never enters; a slot no point filled keeps index -1
// and distance +infinity.
//
// Two kernels, one per kind of device (as gemm.cl's): k_nearest_packed for CPU devices (PoCL),
// plain SIMD code over panels of points packed by k_nearest_pack, no local memory, no barriers,
// each work-item owning QR queries so that a panel load serves several; k_nearest_local for
// GPUs, one query per work-item, tiles of points staged through local memory by the work-group.

#ifndef MAX_K
#define MAX_K 64
#endif

// Inserts point j at squared distance value into the sorted list (best, index) of k entries
// when it is strictly nearer than the k-th; returns the new k-th distance.
static inline float keep_nearer(float* best, int* index, const int k, const float value, const int j) {
    if (!(value < best[k - 1])) return best[k - 1];
    int position = k - 1;
    while (position > 0 && best[position - 1] > value) {
        best[position] = best[position - 1];
        index[position] = index[position - 1];
        --position;
    }
    best[position] = value;
    index[position] = j;
    return best[k - 1];
}

// (|q|^2 + |p|^2) - 2 q.p clamped at 0 (NaN stays NaN, and never enters a list).
static inline float clamped_distance(const float query_norm, const float product, const float point_norm) {
    float value = (query_norm + point_norm) - 2.0f * product;
    return value < 0.0f ? 0.0f : value;
}

// ---------------------------------------------------------------------------------------------
// CPU devices. The points are streamed in tiles of whole panels: the host packs one tile
// (k_nearest_pack), then runs k_nearest_packed over every query, which takes up each query's
// list from indices / distances (squared), merges the tile and puts the list back (as Euclidean
// distances after the last tile). Memory: one packed tile, never all the points twice.

#ifndef NV
#define NV 2  // 16-wide vectors per panel: PANEL points per step of the dimensions
#endif
#ifndef QR
#define QR 4  // queries per work-item
#endif
#define PANEL (16 * NV)

// panel[(g * d + p) * PANEL + l] = points[(base + g * PANEL + l) * d + p], and
// panel_norms[g * PANEL + l] = point_norms[base + g * PANEL + l]: zeros and +infinity past the
// tile's count points, so that padding never enters a list. One work-item per tile slot.
__kernel void k_nearest_pack(__global const float* points, __global const float* point_norms,
                             __global float* panel, __global float* panel_norms,
                             const int d, const int base, const int count, const int slots) {
    const int slot = get_global_id(0);
    if (slot >= slots) return;
    const int g = slot / PANEL, l = slot - g * PANEL;
    const int valid = slot < count;
    __global const float* row = points + (size_t)(base + (valid ? slot : 0)) * d;
    __global float* target = panel + (size_t)g * d * PANEL + l;
    for (int p = 0; p < d; ++p) target[(size_t)p * PANEL] = valid ? row[p] : 0.0f;
    panel_norms[slot] = valid ? point_norms[base + slot] : INFINITY;
}

// QR queries (rows q0 ..< q0 + QR) against one packed tile of `slots` points starting at point
// `base`: QR x NV float16 accumulators, each panel load serving QR rows (as the CPU backend's
// four-row products). `self_offset` >= 0: query q is point self_offset + q, left out.
__kernel void k_nearest_packed(__global const float* queries, __global const float* query_norms,
                               __global const float* panel, __global const float* panel_norms,
                               __global int* indices, __global float* distances,
                               const int m, const int d, const int k, const int base, const int slots,
                               const int self_offset, const int first, const int last) {
    const int q0 = get_global_id(0) * QR;
    if (q0 >= m) return;
    const int rows = min(QR, m - q0);
    // Rows past the last query repeat it; nothing is kept for them.
    __global const float* x = queries + (size_t)q0 * d;
    int stride[QR];
    float norm[QR], kth[QR];
    float best[QR][MAX_K];
    int index[QR][MAX_K];
#pragma unroll
    for (int r = 0; r < QR; ++r) {
        const int row = min(r, rows - 1);
        stride[r] = row * d;
        norm[r] = query_norms[q0 + row];
        for (int i = 0; i < k; ++i) {
            best[r][i] = first ? INFINITY : distances[(size_t)(q0 + row) * k + i];
            index[r][i] = first ? -1 : indices[(size_t)(q0 + row) * k + i];
        }
        kth[r] = best[r][k - 1];
    }
    for (int g = 0; g * PANEL < slots; ++g) {
        __global const float* block = panel + (size_t)g * d * PANEL;
        float16 acc[QR][NV];
#pragma unroll
        for (int r = 0; r < QR; ++r)
#pragma unroll
            for (int v = 0; v < NV; ++v) acc[r][v] = (float16)(0.0f);
        for (int p = 0; p < d; ++p) {
            float16 y[NV];
#pragma unroll
            for (int v = 0; v < NV; ++v) y[v] = vload16(v, block + (size_t)p * PANEL);
#pragma unroll
            for (int r = 0; r < QR; ++r) {
                const float16 xr = (float16)(x[stride[r] + p]);
#pragma unroll
                for (int v = 0; v < NV; ++v) acc[r][v] = fma(xr, y[v], acc[r][v]);
            }
        }
#pragma unroll
        for (int r = 0; r < QR; ++r) {
            if (r >= rows) continue;
            const int self_index = self_offset >= 0 ? self_offset + q0 + r : -1;
#pragma unroll
            for (int v = 0; v < NV; ++v) {
                float16 value = ((float16)(norm[r]) + vload16(v, panel_norms + g * PANEL)) - 2.0f * acc[r][v];
                value = select(value, (float16)(0.0f), value < (float16)(0.0f));
                if (!any(value < (float16)(kth[r]))) continue;
                float lanes[16];
                vstore16(value, 0, lanes);
                const int j0 = base + g * PANEL + 16 * v;
                for (int l = 0; l < 16; ++l) {
                    if (j0 + l != self_index) kth[r] = keep_nearer(best[r], index[r], k, lanes[l], j0 + l);
                }
            }
        }
    }
    for (int r = 0; r < rows; ++r) {
        for (int i = 0; i < k; ++i) {
            distances[(size_t)(q0 + r) * k + i] = last ? sqrt(best[r][i]) : best[r][i];
            indices[(size_t)(q0 + r) * k + i] = index[r][i];
        }
    }
}

// ---------------------------------------------------------------------------------------------
// GPUs. One launch over every point: the work-group stages LOCAL_POINTS points at a time, up to
// LOCAL_DIMS dimensions at a time, transposed into local memory (points[c][r], read as float4
// across r), and its GROUP queries' coordinates too (queries[c][work-item], conflict-free; once
// for all when d <= LOCAL_DIMS). Each work-item keeps LOCAL_POINTS running products in registers
// (each lane of a float4 one chain, in dimension order) and merges them into its list once a
// tile's dimensions are done. Work-items past the last query load and wait, but keep nothing.
// Local memory: (LOCAL_POINTS + GROUP) * LOCAL_DIMS floats, 24 KB for 32, 64 and 64.

#ifndef LOCAL_POINTS
#define LOCAL_POINTS 32
#endif
#ifndef LOCAL_DIMS
#define LOCAL_DIMS 64
#endif
#ifndef GROUP
#define GROUP 64
#endif
#define LOCAL_QUADS (LOCAL_POINTS / 4)

__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void k_nearest_local(__global const float* queries, __global const float* query_norms,
                     __global const float* points, __global const float* point_norms,
                     __global int* indices, __global float* distances,
                     const int m, const int n, const int d, const int k, const int self_offset) {
    __local float4 tile[LOCAL_DIMS * LOCAL_QUADS];
    __local float query_tile[LOCAL_DIMS * GROUP];
    __local float* tile_values = (__local float*)tile;
    const int q = get_global_id(0), lid = get_local_id(0);
    const int active = q < m;
    __global const float* x = queries + (size_t)(active ? q : m - 1) * d;
    const float norm = query_norms[active ? q : m - 1];
    const int self_index = self_offset >= 0 ? self_offset + q : -1;
    float best[MAX_K];
    int index[MAX_K];
    for (int i = 0; i < k; ++i) {
        best[i] = INFINITY;
        index[i] = -1;
    }
    float kth = INFINITY;
    for (int base = 0; base < n; base += LOCAL_POINTS) {
        const int rows = min(LOCAL_POINTS, n - base);
        float4 acc[LOCAL_QUADS];
#pragma unroll
        for (int r = 0; r < LOCAL_QUADS; ++r) acc[r] = (float4)(0.0f);
        for (int c0 = 0; c0 < d; c0 += LOCAL_DIMS) {
            const int dims = min(LOCAL_DIMS, d - c0);
            barrier(CLK_LOCAL_MEM_FENCE);
            for (int t = lid; t < LOCAL_POINTS * dims; t += GROUP) {
                const int r = t / dims, c = t - r * dims;
                tile_values[c * LOCAL_POINTS + r] = r < rows ? points[(size_t)(base + r) * d + c0 + c] : 0.0f;
            }
            if (base == 0 || d > LOCAL_DIMS) {
                for (int c = 0; c < dims; ++c) query_tile[c * GROUP + lid] = x[c0 + c];
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            for (int c = 0; c < dims; ++c) {
                const float4 xc = (float4)(query_tile[c * GROUP + lid]);
#pragma unroll
                for (int r = 0; r < LOCAL_QUADS; ++r) acc[r] = fma(xc, tile[c * LOCAL_QUADS + r], acc[r]);
            }
        }
        // Unrolled over every slot so that acc stays in registers; the slots past rows are skipped.
#pragma unroll
        for (int r = 0; r < LOCAL_QUADS; ++r) {
            const float lanes[4] = {acc[r].x, acc[r].y, acc[r].z, acc[r].w};
#pragma unroll
            for (int l = 0; l < 4; ++l) {
                const int j = base + 4 * r + l;
                if (active && 4 * r + l < rows) {
                    const float value = clamped_distance(norm, lanes[l], point_norms[j]);
                    if (value < kth && j != self_index) kth = keep_nearer(best, index, k, value, j);
                }
            }
        }
    }
    if (!active) return;
    for (int i = 0; i < k; ++i) {
        distances[(size_t)q * k + i] = sqrt(best[i]);
        indices[(size_t)q * k + i] = index[i];
    }
}
