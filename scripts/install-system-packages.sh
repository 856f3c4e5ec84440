#!/usr/bin/env bash
# Installs the Debian packages Signet builds and runs with. Idempotent: when every package is
# already installed it changes nothing and touches no network.
#   OpenCL:  ocl-icd-opencl-dev (loader), opencl-headers, pocl-opencl-icd (CPU device), clinfo
#   BLAS:    libopenblas-dev (the CPU backend's GEMM)
#   Data:    zlib1g-dev (gzip IDX files)
#   Build:   pkg-config (finds OpenCL)
#   Tests only (--tests): chromium, chromium-driver (the report's browser tests, over WebDriver),
#            openmpi-bin (mpirun launches the sharded-sweep test's ranks)
#   Benchmarks only (--benchmarks): libclblast-dev (the CLBlast reference), hyperfine (whole-command timings)
#   Bundle only (--bundle): libcurl4-openssl-dev (scripts/bundle.sh links Foundation's networking statically)
set -euo pipefail

packages=(
  ocl-icd-opencl-dev opencl-headers pocl-opencl-icd clinfo
  libopenblas-dev zlib1g-dev pkg-config
)
for option in "$@"; do
  case "$option" in
    --tests) packages+=(chromium chromium-driver openmpi-bin) ;;
    --benchmarks) packages+=(libclblast-dev hyperfine) ;;
    --bundle) packages+=(libcurl4-openssl-dev) ;;
    *) echo "install-system-packages: unknown option $option (--tests, --benchmarks, --bundle)" >&2; exit 2 ;;
  esac
done

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-system-packages: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-system-packages: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-system-packages: done"
