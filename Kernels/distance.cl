// Distances for K-means and the silhouette. The products (points times centers, tiles of the
// Gram matrix, distance tiles times memberships) run on gemm.cl; these kernels turn Gram values
// into distances and do the per-row work around them. One work-item per value or per row,
// guarded by a bounds check because the host rounds the range up to whole work-groups.

// norms[r] = sum over c of x[r, c]^2, columns in order.
__kernel void row_squared_norms(__global const float* x, __global float* norms, const int rows, const int columns) {
    int r = get_global_id(0);
    if (r >= rows) return;
    __global const float* row = x + (size_t)r * columns;
    float sum = 0.0f;
    for (int c = 0; c < columns; ++c) sum = fma(row[c], row[c], sum);
    norms[r] = sum;
}

// In place: gram[i, j] = p_i . c_j becomes max(0, |p_i|^2 - 2 p_i . c_j + |c_j|^2).
__kernel void squared_distances_from_gram(__global float* gram, __global const float* point_norms,
                                          __global const float* center_norms, const int n, const int m) {
    int index = get_global_id(0);
    if (index >= n * m) return;
    int i = index / m, j = index - i * m;
    gram[index] = fmax(point_norms[i] - 2.0f * gram[index] + center_norms[j], 0.0f);
}

// Per point: the centroid of smallest |p|^2 - 2 p.c + |c|^2 (the lowest index on ties, as
// scikit-learn), and that value clamped at 0. The minimum is taken before clamping, so two
// centroids that both round below 0 still compare.
__kernel void nearest_from_gram(__global const float* gram, __global const float* point_norms,
                                __global const float* centroid_norms, __global int* assignments,
                                __global float* distances, const int n, const int k) {
    int i = get_global_id(0);
    if (i >= n) return;
    __global const float* row = gram + (size_t)i * k;
    float norm = point_norms[i];
    float best = norm - 2.0f * row[0] + centroid_norms[0];
    int nearest = 0;
    for (int j = 1; j < k; ++j) {
        float distance = norm - 2.0f * row[j] + centroid_norms[j];
        if (distance < best) { best = distance; nearest = j; }
    }
    assignments[i] = nearest;
    distances[i] = fmax(best, 0.0f);
}

// The centroids as bounded_nearest reads them: packed[p * width + j] = centroids[j, p] (zero for
// k <= j < width, width a multiple of 16) and norms[j] = |c_j|^2 in row_squared_norms' order
// (zero past k). One work-item per column of the packed matrix.
__kernel void pack_centroids(__global const float* centroids, __global float* packed, __global float* norms,
                             const int k, const int d, const int width) {
    int j = get_global_id(0);
    if (j >= width) return;
    float sum = 0.0f;
    for (int p = 0; p < d; ++p) {
        float value = j < k ? centroids[(size_t)j * d + p] : 0.0f;
        packed[(size_t)p * width + j] = value;
        sum = fma(value, value, sum);
    }
    norms[j] = sum;
}

// |x|^2 - 2 x.c_j + |c_j|^2 for the 16 packed centroids of group g, a lane each. Every lane's
// product is summed in coordinate order with fma from 0, as the GEMM sums x.c for
// nearestCentroids, so both compute the same float32 distances; the lanes run side by side
// (one scalar chain per centroid left each fma waiting on the last one's latency).
static inline float16 group_squared_distances(__global const float* x, __global const float* packed,
                                              __global const float* norms, const int d, const int width,
                                              const int g, const float norm) {
    float16 product = (float16)(0.0f);
    __global const float* column = packed + 16 * g;
    for (int p = 0; p < d; ++p) product = fma((float16)(x[p]), vload16(0, column + (size_t)p * width), product);
    return (float16)(norm) - 2.0f * product + vload16(g, norms);
}

// Hamerly's bounded assignment (see Backend.boundedNearestCentroids): loosen the point's bounds
// by the centroid shifts; only when they no longer prove its centroid, tighten the upper bound,
// and only when that fails, scan every centroid for the nearest and second nearest. The
// distances come 16 centroids at a time from pack_centroids' layout: the group holding the
// point's centroid tightens its bound, and for k <= 16 is already the whole scan.
__kernel void bounded_nearest(__global const float* points, __global const float* point_norms,
                              __global const float* packed, __global const float* centroid_norms,
                              __global const float* moves,
                              __global int* assignments, __global float* upper, __global float* lower,
                              const int n, const int d, const int k, const int width,
                              const float largest_shift, const int largest_index, const float second_shift) {
    int i = get_global_id(0);
    if (i >= n) return;
    // moves: each centroid's shift, then each one's half separation (one write from the host).
    __global const float* shifts = moves;
    __global const float* half_separations = moves + k;
    int a = assignments[i];
    // An assignment outside 0..<k has no bounds to trust: scan every centroid.
    int valid = a >= 0 && a < k;
    float u = valid ? upper[i] + shifts[a] : INFINITY;
    float l = valid ? lower[i] - (a == largest_index ? second_shift : largest_shift) : 0.0f;
    float z = valid ? fmax(l, half_separations[a]) : 0.0f;
    __global const float* x = points + (size_t)i * d;
    float norm = point_norms[i];
    if (u > z) {
        int own = valid ? a / 16 : 0;
        float lanes[16];
        float16 owned = group_squared_distances(x, packed, centroid_norms, d, width, own, norm);
        if (valid) {
            vstore16(owned, 0, lanes);
            u = sqrt(fmax(lanes[a % 16], 0.0f));
        }
        if (u > z) {
            float best = INFINITY, second = INFINITY;
            int nearest = 0;
            for (int g = 0; g * 16 < k; ++g) {
                vstore16(g == own ? owned : group_squared_distances(x, packed, centroid_norms, d, width, g, norm), 0, lanes);
                int count = min(16, k - 16 * g);
                for (int lane = 0; lane < count; ++lane) {
                    float squared = lanes[lane];
                    if (squared < best) { second = best; best = squared; nearest = 16 * g + lane; }
                    else if (squared < second) { second = squared; }
                }
            }
            a = nearest;
            u = sqrt(fmax(best, 0.0f));
            l = sqrt(fmax(second, 0.0f));
        }
    }
    assignments[i] = a;
    upper[i] = u;
    lower[i] = l;
}

// bounded_nearest for k <= 16 (width 16), four points per work-item. Their products run as four
// independent chains that hide each other's fma latency, where one chain per work-item left
// PoCL's loop over the work-items waiting on each fma. When any of the four fails its bounds, all
// four points' distances are computed (in the time of one chain); a point whose bounds held keeps
// its loosened bounds, as in bounded_nearest. Same arithmetic, same results.
__kernel void bounded_nearest_sixteen(__global const float* points, __global const float* point_norms,
                                      __global const float* packed, __global const float* centroid_norms,
                                      __global const float* moves,
                                      __global int* assignments, __global float* upper, __global float* lower,
                                      const int n, const int d, const int k,
                                      const float largest_shift, const int largest_index, const float second_shift) {
    int first = get_global_id(0) * 4;
    if (first >= n) return;
    __global const float* shifts = moves;
    __global const float* half_separations = moves + k;
    int a[4], failing[4];
    float u[4], l[4], z[4], norm[4];
    __global const float* x[4];
    int any = 0;
    #pragma unroll
    for (int q = 0; q < 4; ++q) {
        // Past the end: a copy of the last point, computed along and never written.
        int i = min(first + q, n - 1);
        a[q] = assignments[i];
        int valid = a[q] >= 0 && a[q] < k;
        if (!valid) a[q] = -1;
        u[q] = valid ? upper[i] + shifts[a[q]] : INFINITY;
        l[q] = valid ? lower[i] - (a[q] == largest_index ? second_shift : largest_shift) : 0.0f;
        z[q] = valid ? fmax(l[q], half_separations[a[q]]) : 0.0f;
        failing[q] = first + q < n && u[q] > z[q];
        any |= failing[q];
        x[q] = points + (size_t)i * d;
        norm[q] = point_norms[i];
    }
    if (any) {
        float16 product[4] = {(float16)(0.0f), (float16)(0.0f), (float16)(0.0f), (float16)(0.0f)};
        for (int p = 0; p < d; ++p) {
            float16 column = vload16(p, packed);
            #pragma unroll
            for (int q = 0; q < 4; ++q) product[q] = fma((float16)(x[q][p]), column, product[q]);
        }
        float16 norms = vload16(0, centroid_norms);
        #pragma unroll
        for (int q = 0; q < 4; ++q) {
            if (!failing[q]) continue;
            float lanes[16];
            vstore16((float16)(norm[q]) - 2.0f * product[q] + norms, 0, lanes);
            if (a[q] >= 0) u[q] = sqrt(fmax(lanes[a[q]], 0.0f));
            if (u[q] > z[q]) {
                float best = INFINITY, second = INFINITY;
                int nearest = 0;
                for (int j = 0; j < k; ++j) {
                    float squared = lanes[j];
                    if (squared < best) { second = best; best = squared; nearest = j; }
                    else if (squared < second) { second = squared; }
                }
                a[q] = nearest;
                u[q] = sqrt(fmax(best, 0.0f));
                l[q] = sqrt(fmax(second, 0.0f));
            }
        }
    }
    #pragma unroll
    for (int q = 0; q < 4; ++q) {
        int i = first + q;
        if (i >= n) break;
        // An invalid assignment is always scanned, so a[q] >= 0 here.
        assignments[i] = a[q];
        upper[i] = u[q];
        lower[i] = l[q];
    }
}

// memberships[i, offset + c] = labels[i] == c, for c in 0..<classes; a row of width columns.
__kernel void one_hot(__global const int* labels, __global float* memberships, const int n, const int classes,
                      const int width, const int offset) {
    int index = get_global_id(0);
    if (index >= n * classes) return;
    int i = index / classes, c = index - i * classes;
    memberships[(size_t)i * width + offset + c] = labels[i] == c ? 1.0f : 0.0f;
}

// In place over a rows x columns tile of the Gram matrix between two blocks of points p (rows)
// and q (columns): tile[i, j] = sqrt(max(0, |p_i|^2 + |q_j|^2 - 2 p_i . q_j)). Where that squared
// distance is under RECOMPUTE_BELOW of |p_i|^2 + |q_j|^2, float32 cancellation has eaten it
// (identical points come out ~1e-3 apart), so it is recomputed from the differences; see
// DistanceFromGram.swift. On a diagonal tile (a block with itself) the diagonal is exactly 0.
#define RECOMPUTE_BELOW (1.0f / 32.0f)
__kernel void distance_tile(__global float* tile, __global const float* row_points, __global const float* column_points,
                            __global const float* row_norms, __global const float* column_norms,
                            const int rows, const int columns, const int dimensions, const int diagonal) {
    int index = get_global_id(0);
    if (index >= rows * columns) return;
    int i = index / columns, j = index - i * columns;
    float norms = row_norms[i] + column_norms[j];
    float squared = norms - 2.0f * tile[index];
    if (squared < norms * RECOMPUTE_BELOW) {
        __global const float* p = row_points + (size_t)i * dimensions;
        __global const float* q = column_points + (size_t)j * dimensions;
        squared = 0.0f;
        for (int c = 0; c < dimensions; ++c) {
            float difference = p[c] - q[c];
            squared = fma(difference, difference, squared);
        }
    }
    tile[index] = diagonal && i == j ? 0.0f : sqrt(fmax(squared, 0.0f));
}
