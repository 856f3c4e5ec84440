#!/usr/bin/env python3
"""umap-learn peer of Signet's UMAP: maps rows of one float32 tensor of a safetensors file to 2-D
with umap.UMAP(n_neighbors, min_dist, n_components=2, unseeded, n_jobs), after a warm-up fit on
small random data so that numba's compilation is not timed, and writes the embedding.

  umap_peer.py INPUT.safetensors --tensor hidden_2 [--rows START:END] --out EMBEDDING.safetensors
  umap_peer.py INPUT.safetensors --tensor hidden_2 --serve

One JSON object goes to stdout (seconds, versions, shape, threads); progress to stderr. Bad input:
one line on stderr, exit code 2. Run with the peers venv (setup-venv.sh installs umap-learn).

With --serve (what `signet bench --peers` and `umap-ratios` run) it warms up once, prints a JSON
line {"ready": true, "version": ...}, then answers each input line `run START:END [OUT]` with one
JSON line {"seconds": ...} (the fit of those rows; with OUT, the embedding written there too)
until `quit` or the end of its input: one process, one numba compilation, for every sample.
"""
import argparse
import json
import os
import sys
import time


def fail(message):
    sys.stderr.write(f"umap_peer.py: error: {message}\n")
    sys.exit(2)


class Parser(argparse.ArgumentParser):
    def error(self, message):
        fail(message)


def main(argv):
    p = Parser(prog="umap_peer.py", description="Time umap-learn on a signature matrix.")
    p.add_argument("input")
    p.add_argument("--tensor", required=True)
    p.add_argument("--rows", default=None, help="START:END, a row range (default: all)")
    p.add_argument("--out", help="safetensors file for the n x 2 float32 embedding (required without --serve)")
    p.add_argument("--serve", action="store_true", help="answer `run START:END` lines (see above)")
    p.add_argument("--neighbors", type=int, default=15)
    p.add_argument("--min-dist", type=float, default=0.1)
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args(argv)
    if not args.serve and not args.out:
        fail("--out is required without --serve")
    try:
        import numpy as np
        import umap
        import numba
        from safetensors.numpy import load_file, save_file
    except ImportError as e:
        fail(f"{e}; run it with the peers venv's python (Benchmarks/peers/setup-venv.sh)")
    try:
        tensors = load_file(args.input)
    except Exception as e:
        fail(f"cannot read {args.input}: {e}")
    if args.tensor not in tensors:
        fail(f"{args.input} has no tensor {args.tensor!r} (it has {sorted(tensors)})")
    x = tensors[args.tensor]
    if x.ndim != 2:
        fail(f"{args.tensor} is not a matrix")
    if args.rows:
        try:
            start, end = (int(v) for v in args.rows.split(":"))
        except ValueError:
            fail(f"--rows takes START:END, got {args.rows!r}")
        x = x[start:end]
    x = np.ascontiguousarray(x, dtype=np.float32)
    sys.stderr.write(f"[umap-peer] warm-up (numba compilation, not timed)\n")
    # Above 4,096 points umap-learn switches to NN-descent (pynndescent): warm that path too.
    warm = np.random.RandomState(0).rand(5000, x.shape[1]).astype(np.float32)
    umap.UMAP(n_neighbors=args.neighbors, min_dist=args.min_dist, n_jobs=args.jobs).fit_transform(warm)
    if args.serve:
        serve(x, args, umap, numba, np, save_file)
        return
    sys.stderr.write(f"[umap-peer] {x.shape[0]} x {x.shape[1]}\n")
    start = time.perf_counter()
    embedding = umap.UMAP(n_neighbors=args.neighbors, min_dist=args.min_dist, n_jobs=args.jobs).fit_transform(x)
    seconds = time.perf_counter() - start
    save_file({"embedding": np.ascontiguousarray(embedding, dtype=np.float32)}, args.out)
    print(json.dumps({"tool": "umap-learn", "version": umap.__version__, "numba": numba.__version__,
                      "numba_threads": numba.get_num_threads(), "shape": list(x.shape), "seconds": seconds,
                      "n_neighbors": args.neighbors, "min_dist": args.min_dist, "n_jobs": args.jobs,
                      "out": os.path.abspath(args.out)}))


def serve(x, args, umap, numba, np, save_file):
    """One fit per `run START:END [OUT]` line, its seconds as one JSON line (and, with OUT, the
    embedding written there as by --out); `quit` or EOF ends."""
    print(json.dumps({"ready": True, "tool": "umap-learn", "version": umap.__version__, "numba": numba.__version__,
                      "numba_threads": numba.get_num_threads(), "shape": list(x.shape), "n_jobs": args.jobs}), flush=True)
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            break
        if command[0] != "run" or len(command) not in (2, 3):
            fail(f"unknown command {line.strip()!r} (run START:END [OUT] or quit)")
        try:
            start, end = (int(v) for v in command[1].split(":"))
        except ValueError:
            fail(f"run takes START:END, got {command[1]!r}")
        rows = x[start:end]
        sys.stderr.write(f"[umap-peer] {rows.shape[0]} x {rows.shape[1]}\n")
        began = time.perf_counter()
        embedding = umap.UMAP(n_neighbors=args.neighbors, min_dist=args.min_dist, n_jobs=args.jobs).fit_transform(rows)
        seconds = time.perf_counter() - began
        if len(command) == 3:
            save_file({"embedding": np.ascontiguousarray(embedding, dtype=np.float32)}, command[2])
        print(json.dumps({"seconds": seconds, "shape": list(rows.shape)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
