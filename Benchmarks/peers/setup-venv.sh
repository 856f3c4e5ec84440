#!/usr/bin/env bash
# Creates (or reuses) a Python virtual environment for the peers, outside the repository, and
# prints its python's path as the last line of stdout. Idempotent: a second run with the same
# requirements only checks.
#
#   setup-venv.sh             the analysis peers: scikit-learn (sklearn_clustering.py) and
#                             umap-learn (umap_peer.py)
#   setup-venv.sh --training  the training peers: PyTorch and Keras on TensorFlow
#                             (training_peer.py, for epoch-times), in a venv of their own, so
#                             that their numpy pins never move scikit-learn's
#
#   SIGNET_PEERS_VENV           the analysis venv (default: $HOME/.cache/signet/peers-venv)
#   SIGNET_TRAINING_PEERS_VENV  the training venv (default: $HOME/.cache/signet/training-peers-venv)
#   SIGNET_PEERS_PYTHON         the interpreter that creates them (default: python3 on PATH)
#
# Progress goes to stderr; stdout carries only the python path, so
#   PY="$(Benchmarks/peers/setup-venv.sh | tail -n 1)"
# works.
set -euo pipefail

BASE_PYTHON="${SIGNET_PEERS_PYTHON:-python3}"

# Pinned to a release series: new patch releases may come in, not a new minor (which could
# change defaults or speed between two runs we compare). The exact versions installed are
# reported by the peer scripts in every JSON they print.
if [ "${1:-}" = "--training" ]; then
    VENV="${SIGNET_TRAINING_PEERS_VENV:-$HOME/.cache/signet/training-peers-venv}"
    # PyPI's torch wheel is the CUDA build (several GB with its nvidia-* wheels); on a machine
    # without a GPU it trains on the CPU like a CPU-only build.
    REQUIREMENTS=(
        "numpy>=2.2,<2.5"
        "torch>=2.15,<2.16"
        "tensorflow-cpu>=2.21,<2.22"
    )
    IMPORTS="numpy, torch, tensorflow, keras"
    VERSIONS='import numpy, torch, tensorflow, keras, sys; print("python", sys.version.split()[0], "numpy", numpy.__version__, "torch", torch.__version__, "tensorflow", tensorflow.__version__, "keras", keras.__version__)'
else
    VENV="${SIGNET_PEERS_VENV:-$HOME/.cache/signet/peers-venv}"
    REQUIREMENTS=(
        "numpy>=2.2,<2.5"
        "scikit-learn>=1.7,<1.10"
        "safetensors>=0.5,<0.9"
        "threadpoolctl>=3.5,<4"
        "umap-learn>=0.5.7,<0.6"
    )
    IMPORTS="numpy, sklearn, safetensors.numpy, threadpoolctl, umap"
    VERSIONS='import numpy, sklearn, safetensors, threadpoolctl, umap, sys; print("python", sys.version.split()[0], "numpy", numpy.__version__, "scikit-learn", sklearn.__version__, "safetensors", safetensors.__version__, "threadpoolctl", threadpoolctl.__version__, "umap-learn", umap.__version__)'
fi

log() { printf 'setup-venv: %s\n' "$*" >&2; }

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv_abs="$(realpath -m "$VENV")"
case "$venv_abs/" in
    "$repo_root"/*)
        log "refusing to put the venv inside the repository ($venv_abs); set SIGNET_PEERS_VENV elsewhere"
        exit 2 ;;
esac

if ! command -v "$BASE_PYTHON" >/dev/null 2>&1; then
    log "no $BASE_PYTHON on PATH; installing Debian's python3"
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y python3 python3-venv >&2
    BASE_PYTHON=python3
fi

VPY="$venv_abs/bin/python"

if [ ! -x "$VPY" ] || ! "$VPY" -c 'import sys' >/dev/null 2>&1; then
    # Debian's python3 ships venv without ensurepip unless python3-venv is installed.
    if ! "$BASE_PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        log "python3 -m venv needs python3-venv; installing it"
        if [ "$(id -u)" -ne 0 ]; then
            log "not root: install python3-venv (apt-get install -y python3-venv) and rerun"
            exit 1
        fi
        apt-get update >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv >&2
    fi
    rm -rf "$venv_abs"
    mkdir -p "$(dirname "$venv_abs")"
    log "creating $venv_abs with $("$BASE_PYTHON" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
    "$BASE_PYTHON" -m venv "$venv_abs" >&2
fi

stamp="$venv_abs/.signet-requirements"
wanted="$(printf '%s\n' "${REQUIREMENTS[@]}")"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] \
    && "$VPY" -c "import $IMPORTS" >/dev/null 2>&1; then
    log "requirements already installed in $venv_abs"
else
    log "installing ${REQUIREMENTS[*]}"
    "$VPY" -m pip install --disable-pip-version-check --quiet --upgrade pip >&2 || true
    "$VPY" -m pip install --disable-pip-version-check --quiet "${REQUIREMENTS[@]}" >&2
    "$VPY" -c "import $IMPORTS" >&2
    printf '%s\n' "$wanted" > "$stamp"
fi

log "$("$VPY" -c "$VERSIONS")"
echo "$VPY"
