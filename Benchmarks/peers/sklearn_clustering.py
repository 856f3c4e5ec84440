#!/usr/bin/env python3
"""scikit-learn peer of Signet's activation-signature clustering.

Reads a safetensors file of float32 2-D tensors (signature matrices: one row per image, one
column per unit), and for each tensor (or those named by --layers) fits
sklearn.cluster.KMeans(n_clusters=k, n_init=N, random_state=seed, algorithm="lloyd") for
every k in --kmin..--kmax, timing each fit, and times the exact
sklearn.metrics.silhouette_score for the k values named by --silhouette-k.

--labels-out writes each layer's labels per k as int32 tensors named "LAYER/k".
--silhouette-of reads such int32 label tensors (from any producer, e.g. Signet) and scores
them with sklearn's exact silhouette, against the same input matrices.

One JSON object goes to stdout; progress goes to stderr. Bad input: one line on stderr,
exit code 2. Run with the venv made by setup-venv.sh (see README.md beside this file).
"""

import argparse
import json
import os
import platform
import sys
import time

SCRIPT = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "sklearn_clustering.py"

# Read before numpy or scikit-learn are imported, so that what is reported is what OpenBLAS saw.
ENV_KEYS = (
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
)
ENV_AT_START = {key: os.environ.get(key) for key in ENV_KEYS}


class InputError(Exception):
    """Bad input: reported as one line on stderr, exit code 2."""


def fail(message):
    sys.stderr.write(f"{SCRIPT}: error: {message}\n")
    sys.stderr.flush()
    sys.exit(2)


def progress(message):
    sys.stderr.write(f"[sklearn-peer] {message}\n")
    sys.stderr.flush()


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        fail(message)


# ---------------------------------------------------------------------------------------------
# CPU accounting (Linux /proc), the same definition as Signet's Sources/Bench/CPUSnapshot.swift: the
# machine's busy ticks (user, nice, system, irq, softirq, steal) less this process's own
# user + system ticks, as a share of all CPUs' ticks over the interval.


def _cpu_snapshot():
    try:
        with open("/proc/stat") as f:
            line = f.readline()
        with open("/proc/self/stat") as f:
            own = f.read()
    except OSError:
        return None
    if not line.startswith("cpu "):
        return None
    ticks = [int(x) for x in line.split()[1:]]
    if len(ticks) < 8:
        return None
    busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]
    total = sum(ticks[:8])
    fields = own[own.rindex(") ") + 2 :].split()
    process = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return {"busy": busy, "total": total, "process": process, "wall": time.perf_counter()}


def _cpu_shares(start, end):
    if start is None or end is None:
        return None
    total = end["total"] - start["total"]
    if total <= 0:
        return None
    busy = end["busy"] - start["busy"]
    own = end["process"] - start["process"]
    return {
        "machine_busy_share": round(busy / total, 4),
        "own_share": round(own / total, 4),
        "others_share": round(min(1.0, max(0.0, (busy - own) / total)), 4),
        "wall_seconds": round(end["wall"] - start["wall"], 3),
        "clock_ticks_per_second": os.sysconf("SC_CLK_TCK"),
    }


# ---------------------------------------------------------------------------------------------
# Arguments


def parse_args(argv):
    p = OneLineParser(
        prog=SCRIPT,
        description="Time scikit-learn KMeans (lloyd) and exact silhouette on signature matrices.",
    )
    p.add_argument("input", help="safetensors file of float32 2-D tensors (one per layer)")
    p.add_argument("--layers", nargs="+", metavar="NAME",
                   help="tensors to cluster (default: every tensor, in name order); "
                        "commas also separate names")
    p.add_argument("--kmin", type=int, default=2, help="smallest k (default 2)")
    p.add_argument("--kmax", type=int, default=10, help="largest k (default 10)")
    p.add_argument("--n-init", type=int, default=10, help="KMeans n_init (default 10)")
    p.add_argument("--seed", type=int, default=0, help="KMeans random_state (default 0)")
    p.add_argument("--max-iter", type=int, default=300, help="KMeans max_iter (default 300, sklearn's)")
    p.add_argument("--tol", type=float, default=1e-4, help="KMeans tol (default 1e-4, sklearn's)")
    p.add_argument("--silhouette-k", default="first", metavar="WHICH",
                   help="k values whose labels get an exact silhouette_score: 'first' (default: "
                        "kmin only), 'all', 'none', or a comma list such as 2,5,10")
    p.add_argument("--labels-out", metavar="FILE.safetensors",
                   help="write each layer's labels per k as int32 tensors named LAYER/k")
    p.add_argument("--silhouette-of", metavar="FILE.safetensors",
                   help="score these int32 label tensors (named LAYER/k, any producer) with "
                        "sklearn's exact silhouette_score on the input's matrices")
    p.add_argument("--no-fit", action="store_true",
                   help="skip the KMeans sweep (e.g. with --silhouette-of alone)")
    p.add_argument("--threads", type=int, metavar="N",
                   help="limit BLAS and OpenMP threads to N with threadpoolctl (default: as the "
                        "libraries choose, normally one per CPU)")
    args = p.parse_args(argv)

    if args.kmin < 2:
        fail(f"bad k range: --kmin {args.kmin} must be at least 2")
    if args.kmax < args.kmin:
        fail(f"bad k range: --kmax {args.kmax} is below --kmin {args.kmin}")
    if args.n_init < 1:
        fail(f"--n-init {args.n_init} must be at least 1")
    if args.max_iter < 1:
        fail(f"--max-iter {args.max_iter} must be at least 1")
    if args.threads is not None and args.threads < 1:
        fail(f"--threads {args.threads} must be at least 1")

    ks = list(range(args.kmin, args.kmax + 1))
    which = args.silhouette_k.strip().lower()
    if which == "first":
        args.silhouette_ks = [args.kmin]
    elif which == "all":
        args.silhouette_ks = ks
    elif which in ("none", ""):
        args.silhouette_ks = []
    else:
        try:
            chosen = sorted({int(x) for x in which.split(",") if x.strip()})
        except ValueError:
            fail(f"--silhouette-k {args.silhouette_k!r}: expected first, all, none or a comma list of integers")
        outside = [k for k in chosen if k not in ks]
        if outside:
            fail(f"--silhouette-k {outside} outside the k range {args.kmin}..{args.kmax}")
        args.silhouette_ks = chosen
    args.ks = ks
    if args.layers:
        args.layers = [n for item in args.layers for n in item.split(",") if n]
    return args


# ---------------------------------------------------------------------------------------------
# Input


def load_safetensors(path, what):
    from safetensors.numpy import load_file

    if not os.path.isfile(path):
        raise InputError(f"{what} {path!r}: no such file")
    try:
        return load_file(path)
    except Exception as e:  # safetensors raises its own error types; any is bad input here
        raise InputError(f"{what} {path!r}: not a readable safetensors file ({type(e).__name__}: {e})")


def load_matrices(args):
    import numpy as np

    tensors = load_safetensors(args.input, "input")
    if not tensors:
        raise InputError(f"input {args.input!r}: holds no tensors")
    names = args.layers if args.layers else sorted(tensors)
    missing = [n for n in names if n not in tensors]
    if missing:
        raise InputError(f"input {args.input!r}: no tensor named {', '.join(missing)} "
                         f"(it has {', '.join(sorted(tensors))})")
    matrices = {}
    for name in names:
        x = tensors[name]
        if x.dtype != np.float32 or x.ndim != 2:
            raise InputError(f"tensor {name!r}: must be 2-D float32, is {x.ndim}-D {x.dtype} {list(x.shape)}")
        if x.shape[0] < 2 or x.shape[1] < 1:
            raise InputError(f"tensor {name!r}: shape {list(x.shape)} has too few rows or no columns")
        if not np.isfinite(x).all():
            raise InputError(f"tensor {name!r}: holds NaN or infinite values")
        if not args.no_fit and args.kmax > x.shape[0]:
            raise InputError(f"bad k range: --kmax {args.kmax} exceeds the {x.shape[0]} rows of {name!r}")
        matrices[name] = np.ascontiguousarray(x)
    return matrices


def load_label_sets(path, matrices):
    """Label tensors named LAYER/k, restricted to the layers being run, checked against them."""
    import numpy as np

    tensors = load_safetensors(path, "--silhouette-of")
    sets = {}
    for tname in sorted(tensors):
        layer, sep, k = tname.rpartition("/")
        if not sep:
            raise InputError(f"--silhouette-of tensor {tname!r}: name must be LAYER/k")
        if layer not in matrices:
            continue
        labels = tensors[tname]
        if labels.dtype != np.int32 or labels.ndim != 1:
            raise InputError(f"--silhouette-of tensor {tname!r}: must be 1-D int32, is "
                             f"{labels.ndim}-D {labels.dtype} {list(labels.shape)}")
        rows = matrices[layer].shape[0]
        if labels.shape[0] != rows:
            raise InputError(f"--silhouette-of tensor {tname!r}: {labels.shape[0]} labels for the "
                             f"{rows} rows of {layer!r}")
        distinct = np.unique(labels).size
        if not 2 <= distinct <= rows - 1:
            raise InputError(f"--silhouette-of tensor {tname!r}: {distinct} distinct labels; "
                             f"silhouette needs 2..{rows - 1}")
        sets.setdefault(layer, []).append((k, labels))
    if not sets:
        raise InputError(f"--silhouette-of {path!r}: no LAYER/k tensor for the layers "
                         f"{', '.join(matrices)}")
    for layer in sets:
        sets[layer].sort(key=lambda item: (len(item[0]), item[0]))
    return sets


# ---------------------------------------------------------------------------------------------
# Environment


def blas_summary():
    from threadpoolctl import threadpool_info

    summary = []
    for lib in sorted(threadpool_info(), key=lambda l: (l.get("user_api") or "", l.get("filepath") or "")):
        path = lib.get("filepath") or ""
        summary.append({
            "user_api": lib.get("user_api"),
            "internal_api": lib.get("internal_api"),
            "version": lib.get("version"),
            "architecture": lib.get("architecture"),
            "threading_layer": lib.get("threading_layer"),
            "num_threads": lib.get("num_threads"),
            "library": os.path.basename(path),
            # The folder it was loaded from, which tells whose copy it is: scipy.libs (the
            # BLAS of sklearn's KMeans, through scipy's cython_blas), numpy.libs (numpy's
            # matmul, e.g. the distances in silhouette_score), scikit_learn.libs (OpenMP).
            "loaded_from": os.path.basename(os.path.dirname(path)),
            "prefix": lib.get("prefix"),
        })
    return summary


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def environment(threads_limit):
    import numpy
    import scipy
    import sklearn
    import safetensors
    import threadpoolctl

    try:
        affinity = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        affinity = None
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": affinity,
        "versions": {
            "scikit-learn": sklearn.__version__,
            "numpy": numpy.__version__,
            "scipy": scipy.__version__,
            "safetensors": safetensors.__version__,
            "threadpoolctl": threadpoolctl.__version__,
        },
        "env": ENV_AT_START,
        "threads_limit": threads_limit,
        "threadpool_info": blas_summary(),
    }


# ---------------------------------------------------------------------------------------------
# The run


def timed_silhouette(x, labels):
    from sklearn.metrics import silhouette_score

    start = time.perf_counter()
    score = silhouette_score(x, labels)
    return float(score), time.perf_counter() - start


def run(args, real_stdout):
    import numpy as np
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    cpu_start = _cpu_snapshot()
    run_start = time.perf_counter()

    matrices = load_matrices(args)
    label_sets = load_label_sets(args.silhouette_of, matrices) if args.silhouette_of else None
    if args.labels_out and args.no_fit:
        raise InputError("--labels-out needs the KMeans sweep; drop --no-fit")
    if args.labels_out:
        out_dir = os.path.dirname(os.path.abspath(args.labels_out))
        if not os.path.isdir(out_dir) or not os.access(out_dir, os.W_OK):
            raise InputError(f"--labels-out {args.labels_out!r}: folder {out_dir!r} missing or not writable")

    limiter = threadpool_limits(limits=args.threads) if args.threads else None
    try:
        env = environment(args.threads)  # inside the limit: num_threads as the fits see them
        for lib in env["threadpool_info"]:
            progress(f"{lib['user_api']}: {lib['internal_api']} {lib['version'] or ''} "
                     f"arch={lib['architecture']} threads={lib['num_threads']} "
                     f"({lib['loaded_from']}/{lib['library']})")
        progress(f"OPENBLAS_CORETYPE={ENV_AT_START['OPENBLAS_CORETYPE']!r} "
                 f"OPENBLAS_L2_SIZE={ENV_AT_START['OPENBLAS_L2_SIZE']!r} cpu_count={os.cpu_count()}")

        layers = {}
        labels_out = {}
        if not args.no_fit:
            for name, x in matrices.items():
                progress(f"{name}: {x.shape[0]} x {x.shape[1]}, k = {args.kmin}..{args.kmax}, "
                         f"n_init = {args.n_init}")
                per_k = {}
                for k in args.ks:
                    model = KMeans(n_clusters=k, n_init=args.n_init, random_state=args.seed,
                                   algorithm="lloyd", max_iter=args.max_iter, tol=args.tol)
                    before = _cpu_snapshot()
                    start = time.perf_counter()
                    model.fit(x)
                    seconds = time.perf_counter() - start
                    shares = _cpu_shares(before, _cpu_snapshot())
                    labels = model.labels_.astype(np.int32, copy=False)
                    entry = {
                        "seconds": seconds,
                        "inertia": float(model.inertia_),
                        "n_iter": int(model.n_iter_),
                        "others_cpu_share": shares["others_share"] if shares else None,
                    }
                    line = (f"{name} k={k}: fit {seconds:.3f} s, inertia {entry['inertia']:.6g}, "
                            f"n_iter {entry['n_iter']}")
                    if k in args.silhouette_ks:
                        entry["silhouette"], entry["silhouette_seconds"] = timed_silhouette(x, labels)
                        line += (f", silhouette {entry['silhouette']:.6f} "
                                 f"({entry['silhouette_seconds']:.3f} s)")
                    progress(line)
                    per_k[str(k)] = entry
                    if args.labels_out:
                        labels_out[f"{name}/{k}"] = np.ascontiguousarray(labels)
                layers[name] = per_k

        if args.labels_out:
            from safetensors.numpy import save_file

            try:
                save_file(labels_out, args.labels_out)
            except Exception as e:
                raise InputError(f"--labels-out {args.labels_out!r}: cannot write ({type(e).__name__}: {e})")
            progress(f"wrote {len(labels_out)} label tensors to {args.labels_out}")

        scored = None
        if label_sets:
            scored = {"file": os.path.abspath(args.silhouette_of), "layers": {}}
            for name, sets in label_sets.items():
                per_k = {}
                for k, labels in sets:
                    score, seconds = timed_silhouette(matrices[name], labels)
                    per_k[k] = {"silhouette": score, "silhouette_seconds": seconds}
                    progress(f"{name}/{k} from {os.path.basename(args.silhouette_of)}: "
                             f"silhouette {score:.6f} ({seconds:.3f} s)")
                scored["layers"][name] = per_k
    finally:
        if limiter is not None:
            limiter.unregister()

    shares = _cpu_shares(cpu_start, _cpu_snapshot())
    result = {
        "tool": "scikit-learn",
        "input": os.path.abspath(args.input),
        "shapes": {name: list(x.shape) for name, x in matrices.items()},
        "params": {
            "algorithm": "lloyd",
            "init": "k-means++",
            "kmin": args.kmin,
            "kmax": args.kmax,
            "n_init": args.n_init,
            "random_state": args.seed,
            "max_iter": args.max_iter,
            "tol": args.tol,
            "silhouette_k": [] if args.no_fit else args.silhouette_ks,
            "silhouette_metric": "euclidean, exact (no sample_size)",
            "fit": not args.no_fit,
        },
        "layers": layers,
        "environment": env,
        "cpu": shares,
        "total_seconds": time.perf_counter() - run_start,
    }
    if args.labels_out:
        result["labels_out"] = os.path.abspath(args.labels_out)
    if scored is not None:
        result["silhouette_of"] = scored
    if shares:
        progress(f"other processes used {100 * shares['others_share']:.1f}% of all CPUs during the run "
                 f"(machine busy {100 * shares['machine_busy_share']:.1f}%, "
                 f"this process {100 * shares['own_share']:.1f}%)")
    real_stdout.write(json.dumps(result, indent=2) + "\n")
    real_stdout.flush()


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        import numpy  # noqa: F401
        import sklearn  # noqa: F401
        import safetensors.numpy  # noqa: F401
        import threadpoolctl  # noqa: F401
    except ImportError as e:
        sys.stderr.write(f"{SCRIPT}: {e}; run it with the venv's python (Benchmarks/peers/setup-venv.sh)\n")
        return 1
    # Only the JSON goes to stdout: anything a library prints goes to stderr.
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        run(args, real_stdout)
    except InputError as e:
        fail(str(e))
    except MemoryError:
        fail("out of memory")
    finally:
        sys.stdout = real_stdout
    return 0


if __name__ == "__main__":
    sys.exit(main())
