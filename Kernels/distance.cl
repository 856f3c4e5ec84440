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

// Hamerly's bounded assignment (see Backend.boundedNearestCentroids): loosen the point's bounds
// by the centroid shifts; only when they no longer prove its centroid, tighten the upper bound,
// and only when that fails, scan every centroid for the nearest and second nearest.
__kernel void bounded_nearest(__global const float* points, __global const float* point_norms,
                              __global const float* centroids, __global const float* centroid_norms,
                              __global const float* shifts, __global const float* half_separations,
                              __global int* assignments, __global float* upper, __global float* lower,
                              const int n, const int d, const int k,
                              const float largest_shift, const int largest_index, const float second_shift) {
    int i = get_global_id(0);
    if (i >= n) return;
    int a = assignments[i];
    // An assignment outside 0..<k has no bounds to trust: scan every centroid.
    int valid = a >= 0 && a < k;
    float u = valid ? upper[i] + shifts[a] : INFINITY;
    float l = valid ? lower[i] - (a == largest_index ? second_shift : largest_shift) : 0.0f;
    float z = valid ? fmax(l, half_separations[a]) : 0.0f;
    __global const float* x = points + (size_t)i * d;
    float norm = point_norms[i];
    if (u > z) {
        if (valid) {
            __global const float* c = centroids + (size_t)a * d;
            float dot = 0.0f;
            for (int p = 0; p < d; ++p) dot = fma(x[p], c[p], dot);
            u = sqrt(fmax(norm - 2.0f * dot + centroid_norms[a], 0.0f));
        }
        if (u > z) {
            float best = INFINITY, second = INFINITY;
            int nearest = 0;
            for (int j = 0; j < k; ++j) {
                __global const float* cj = centroids + (size_t)j * d;
                float product = 0.0f;
                for (int p = 0; p < d; ++p) product = fma(x[p], cj[p], product);
                float squared = norm - 2.0f * product + centroid_norms[j];
                if (squared < best) { second = best; best = squared; nearest = j; }
                else if (squared < second) { second = squared; }
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
