#!/usr/bin/env python3
"""Writes Tests/SignaturesTests/Fixtures/umap_reference.json: umap-learn's pieces on the 200 x 10
points of ../shared/fixtures/trustworthiness_reference.json, for Signet's UMAP tests.

  - the (a, b) curve parameters for (min_dist, spread) = (0.1, 1.0) and (0.5, 1.0);
  - smooth_knn_dist's rho and sigma for the exact 15-neighbour lists (self first);
  - fuzzy_simplicial_set's symmetric graph (rows, cols, vals) of those lists.

Run with the peers venv (setup-venv.sh installs umap-learn).
"""
import json
import os
import sys

import numpy as np
from umap.umap_ import find_ab_params, fuzzy_simplicial_set, smooth_knn_dist

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.normpath(os.path.join(here, "..", ".."))
source = os.path.join(root, "..", "shared", "fixtures", "trustworthiness_reference.json")
X = np.asarray(json.load(open(source))["X"], dtype=np.float32)
n, k = X.shape[0], 15
d = np.sqrt(((X[:, None, :].astype(np.float64) - X[None, :, :]) ** 2).sum(-1))
order = np.lexsort((np.tile(np.arange(n), (n, 1)), d), axis=1)[:, :k]  # by distance, ties to lower index; self first
knn_indices = order.astype(np.int64)
knn_dists = np.take_along_axis(d, order, axis=1).astype(np.float32)
assert (knn_indices[:, 0] == np.arange(n)).all()
sigmas, rhos = smooth_knn_dist(knn_dists, float(k), local_connectivity=1.0)
graph, _, _ = fuzzy_simplicial_set(X, k, random_state=np.random.RandomState(0), metric="euclidean",
                                   knn_indices=knn_indices, knn_dists=knn_dists)
graph = graph.tocoo()
out = {
    "umap_version": __import__("umap").__version__,
    "source": "trustworthiness_reference.json X (200 x 10), exact Euclidean 15-neighbour lists, self first",
    "ab": {f"{m},{s}": list(map(float, find_ab_params(s, m))) for m, s in [(0.1, 1.0), (0.5, 1.0)]},
    "knn_indices": knn_indices.tolist(),
    "knn_dists": knn_dists.astype(float).tolist(),
    "rho": rhos.astype(float).tolist(),
    "sigma": sigmas.astype(float).tolist(),
    "graph": {"rows": graph.row.tolist(), "cols": graph.col.tolist(), "vals": graph.data.astype(float).tolist()},
}
target = os.path.join(root, "Tests", "SignaturesTests", "Fixtures", "umap_reference.json")
os.makedirs(os.path.dirname(target), exist_ok=True)
with open(target, "w") as f:
    json.dump(out, f)
print(f"wrote {target}: {len(out['graph']['vals'])} edges", file=sys.stderr)
