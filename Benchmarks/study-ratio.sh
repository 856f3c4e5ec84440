#!/usr/bin/env bash
# The full-70k analysis of `signet study` against scikit-learn doing the same work, in one run:
# a dense network 784-32-64-10 (--preset modern) studied on all 70,000 MNIST images, both hidden
# layers, k = 2 ... 10, n_init 10, exact silhouette of every k (no UMAP maps: umap-ratios times those).
# scikit-learn then runs KMeans on the
# same standardized signatures (Signet's own signatures.safetensors, standardized with the mean and
# deviation stored beside them) and times one exact silhouette_score per layer, multiplied by the
# nine k (every k costs the same pairwise distances).
#
#   Benchmarks/study-ratio.sh [--device cpu|opencl] [--checkpoint M]
#
# Needs a release build (swift build -c release) and SIGNET_DATA; the scikit-learn venv is made by
# Benchmarks/peers/setup-venv.sh. Files go to $SIGNET_STUDY_RATIO_DIR (default /tmp/signet-study-ratio).
set -euo pipefail
cd "$(dirname "$0")/.."
device=cpu checkpoint=""
while [ $# -gt 0 ]; do
    case "$1" in
        --device) device="$2"; shift 2 ;;
        --checkpoint) checkpoint="$2"; shift 2 ;;
        *) echo "study-ratio.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
signet=.build/release/signet
[ -x "$signet" ] || { echo "study-ratio.sh: build first: swift build -c release" >&2; exit 2; }
dir="${SIGNET_STUDY_RATIO_DIR:-/tmp/signet-study-ratio}"
mkdir -p "$dir"
python="$(Benchmarks/peers/setup-venv.sh | tail -n 1)"
if [ -z "$checkpoint" ]; then
    checkpoint="$dir/modern.safetensors"
    [ -f "$checkpoint" ] || "$signet" train --preset modern --device cpu --save "$checkpoint" >/dev/null
fi

"$signet" study --checkpoint "$checkpoint" --per-class all --analyze all --no-umap --device "$device" --out "$dir/study" >"$dir/summary.txt"
"$python" - "$dir" <<'PY'
import sys
import numpy as np
from safetensors.numpy import load_file, save_file
d = sys.argv[1]
raw = load_file(f"{d}/study/signatures.safetensors")
save_file({name: ((raw[name] - raw[name + ".mean"]) / raw[name + ".scale"]).astype(np.float32)
           for name in ("hidden_1", "hidden_2")}, f"{d}/standardized.safetensors")
PY
"$python" Benchmarks/peers/sklearn_clustering.py "$dir/standardized.safetensors" --layers hidden_1 hidden_2 \
    --kmin 2 --kmax 10 --n-init 10 --silhouette-k first >"$dir/peer.json"

"$python" - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
study = json.load(open(f"{d}/study/result.json"))
peer = json.load(open(f"{d}/peer.json"))
phases = {p["phase"]: p["seconds"] for p in study["phases"]}
run = study["runs"][0]
print(f"backend: {study['backend']['description']}")
print("| layer | what | scikit-learn s | Signet s | ratio |")
print("| --- | --- | ---: | ---: | ---: |")
total_peer = total_ours = 0.0
for layer in run["analysis"]["layers"]:
    name = layer["layer"]
    per_k = peer["layers"][name]
    kmeans_peer = sum(v["seconds"] for v in per_k.values())
    one = next(v["silhouette_seconds"] for v in per_k.values() if "silhouette_seconds" in v)
    silhouette_peer = one * len(per_k)
    kmeans_ours, silhouette_ours = phases[f"k-means {name}"], phases[f"silhouette {name}"]
    print(f"| {name} | K-means k = 2 ... 10, n_init 10 | {kmeans_peer:.1f} | {kmeans_ours:.1f} | {kmeans_peer / kmeans_ours:.1f}x |")
    print(f"| {name} | exact silhouette, 9 k ({one:.1f} s x 9) | {silhouette_peer:.1f} | {silhouette_ours:.1f} | {silhouette_peer / silhouette_ours:.1f}x |")
    inertia = [c["inertia"] / per_k[str(c["k"])]["inertia"] for c in layer["candidates"]]
    print(f"|  | inertia ours / scikit-learn's: {min(inertia):.5f} ... {max(inertia):.5f} | | | |")
    total_peer += kmeans_peer + silhouette_peer
    total_ours += kmeans_ours + silhouette_ours
print(f"| both | the analysis | {total_peer:.1f} | {total_ours:.1f} | {total_peer / total_ours:.1f}x |")
print("Signet's phases: " + ", ".join(f"{k} {v:.2f} s" for k, v in phases.items()))
cpu = peer.get("cpu") or {}
print(f"other processes' CPU share during the peer: {cpu.get('others_share')}")
PY
