#!/usr/bin/env bash
# Creates (or reuses) the Python virtual environment that runs the scikit-learn peer
# (sklearn_clustering.py), outside the repository, and prints its python's path as the
# last line of stdout. Idempotent: a second run with the same requirements only checks.
#
#   SIGNET_PEERS_VENV    where the venv lives (default: $HOME/.cache/signet/peers-venv)
#   SIGNET_PEERS_PYTHON  the interpreter that creates it (default: python3 on PATH)
#
# Progress goes to stderr; stdout carries only the python path, so
#   PY="$(Benchmarks/peers/setup-venv.sh | tail -n 1)"
# works.
set -euo pipefail

VENV="${SIGNET_PEERS_VENV:-$HOME/.cache/signet/peers-venv}"
BASE_PYTHON="${SIGNET_PEERS_PYTHON:-python3}"

# Pinned to a release series: new patch releases may come in, not a new minor (which could
# change KMeans defaults or speed between two runs we compare). The exact versions installed
# are reported by sklearn_clustering.py in every JSON it prints.
REQUIREMENTS=(
    "numpy>=2.2,<2.5"
    "scikit-learn>=1.7,<1.10"
    "safetensors>=0.5,<0.9"
    "threadpoolctl>=3.5,<4"
)

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
    && "$VPY" -c 'import numpy, sklearn, safetensors.numpy, threadpoolctl' >/dev/null 2>&1; then
    log "requirements already installed in $venv_abs"
else
    log "installing ${REQUIREMENTS[*]}"
    "$VPY" -m pip install --disable-pip-version-check --quiet --upgrade pip >&2 || true
    "$VPY" -m pip install --disable-pip-version-check --quiet "${REQUIREMENTS[@]}" >&2
    "$VPY" -c 'import numpy, sklearn, safetensors.numpy, threadpoolctl' >&2
    printf '%s\n' "$wanted" > "$stamp"
fi

log "$("$VPY" -c 'import numpy, sklearn, safetensors, threadpoolctl, sys; print("python", sys.version.split()[0], "numpy", numpy.__version__, "scikit-learn", sklearn.__version__, "safetensors", safetensors.__version__, "threadpoolctl", threadpoolctl.__version__)')"
echo "$VPY"
