#!/usr/bin/env bash
# Builds a self-contained `signet` for a machine without Swift (a GPU machine): the release build
# with the Swift runtime linked statically, and beside it every shared library it loads that such
# a machine may lack (OpenBLAS and its Fortran runtime, zlib, the OpenCL ICD loader, curl and
# what it needs), found with ldd. glibc itself is not carried: the machine's must be at least
# the newest version the binary and lib/ ask for, which this script prints. The C++ runtime
# (libstdc++, libgcc_s) goes in lib/fallback/, used only where the machine has none: every
# machine with a GPU driver has one, and Debian's asks for a newer glibc than the rest.
#
#   scripts/bundle.sh [OUT.tar.xz]     build it (default: signet-bundle.tar.xz in the repository)
#   scripts/bundle.sh --check FILE     unpack FILE in a fresh folder and run `signet devices`
#                                      and `signet selftest` from there
#
# The archive holds signet-bundle/bin/signet (a launcher: it points the loader at lib/ and, when
# the machine has no OpenCL ICD file, at NVIDIA's OpenCL driver), bin/signet.real and lib/. It
# is xz-compressed: about 26 MiB, where gzip made 42.
# Unpack it anywhere and run signet-bundle/bin/signet; the kernels and the report's assets are
# compiled into the binary.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# What every Linux machine has: the C library's own objects, which must come from the machine.
system_library() {
  case "$1" in
    linux-vdso.so.* | ld-linux*.so.* | libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | libresolv.so.*) return 0 ;;
    *) return 1 ;;
  esac
}

# The C++ runtime: carried, but used only where the machine lacks it.
fallback_library() {
  case "$1" in libstdc++.so.* | libgcc_s.so.*) return 0 ;; *) return 1 ;; esac
}

check() {
  local archive="$1"
  [ -f "$archive" ] || { echo "bundle: no such archive: $archive" >&2; exit 2; }
  check_folder="$(mktemp -d)"
  trap 'rm -rf "$check_folder"' EXIT
  tar -xJf "$archive" -C "$check_folder"
  local signet="$check_folder/signet-bundle/bin/signet"
  # From another folder, with no Swift on the library path: the bundle must bring its own.
  (cd / && env -u LD_LIBRARY_PATH "$signet" devices) | tee "$check_folder/devices.txt"
  (cd / && env -u LD_LIBRARY_PATH "$signet" selftest)
  # auto takes a GPU where there is one; an OpenCL CPU device is checked too.
  if grep -q '\[opencl:' "$check_folder/devices.txt"; then
    (cd / && env -u LD_LIBRARY_PATH "$signet" selftest --device opencl)
  fi
  echo "bundle: $archive runs from a fresh folder"
}

if [ "${1:-}" = "--check" ]; then
  [ $# -eq 2 ] || { echo "usage: scripts/bundle.sh --check FILE" >&2; exit 2; }
  check "$2"
  exit 0
fi
[ $# -le 1 ] || { echo "usage: scripts/bundle.sh [OUT.tar.gz] | --check FILE" >&2; exit 2; }
out="${1:-$root/signet-bundle.tar.xz}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
[ -d "$(dirname "$out")" ] || { echo "bundle: no folder for $out" >&2; exit 2; }

# Foundation's networking, linked statically, links curl by name: its development package.
"$root/scripts/install-system-packages.sh" --bundle >/dev/null
# A build folder of its own: the static runtime is a different build from the usual release.
scratch="$root/.build/bundle"
(cd "$root" && swift build -c release --product signet --static-swift-stdlib --scratch-path "$scratch")
binary="$(cd "$root" && swift build -c release --product signet --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)/signet"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
bundle="$stage/signet-bundle"
mkdir -p "$bundle/bin" "$bundle/lib/fallback"
cp "$binary" "$bundle/bin/signet.real"
strip "$bundle/bin/signet.real" 2>/dev/null || true
ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u | while read -r library; do
  name="$(basename "$library")"
  if fallback_library "$name"; then
    cp -L "$library" "$bundle/lib/fallback/$name"
  elif ! system_library "$name"; then
    cp -L "$library" "$bundle/lib/$name"
  fi
done
if ldd "$binary" | grep -q "not found"; then
  echo "bundle: ldd cannot find every library signet needs:" >&2
  ldd "$binary" | grep "not found" >&2
  exit 1
fi

cat > "$bundle/bin/signet" <<'LAUNCHER'
#!/bin/sh
# Runs the bundled signet with its own libraries. Without an OpenCL ICD file (/etc/OpenCL/vendors)
# and without OCL_ICD_VENDORS, it points the ICD loader at NVIDIA's OpenCL driver if the machine
# has one, so that a driver installed without its ICD file is still found.
here="$(cd "$(dirname "$0")" && pwd)"
libraries="$here/../lib"
if ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libstdc++\.so\.6 '; then libraries="$libraries:$here/../lib/fallback"; fi
LD_LIBRARY_PATH="$libraries${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
if [ -z "${OCL_ICD_VENDORS:-}" ] && ! ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1; then
  for driver in $(/sbin/ldconfig -p 2>/dev/null | awk '/libnvidia-opencl\.so\.1/ { print $NF }') \
                /usr/lib/x86_64-linux-gnu/libnvidia-opencl.so.1 /usr/lib64/libnvidia-opencl.so.1; do
    if [ -f "$driver" ]; then
      OCL_ICD_VENDORS="$driver"
      export OCL_ICD_VENDORS
      break
    fi
  done
fi
exec "$here/signet.real" "$@"
LAUNCHER
chmod +x "$bundle/bin/signet"

tar -cJf "$out.partial" -C "$stage" signet-bundle
mv "$out.partial" "$out"
newest() { objdump -T "$@" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1; }
glibc="$(newest "$bundle/bin/signet.real" "$bundle"/lib/*.so*)"
fallback="$(newest "$bundle"/lib/fallback/*.so*)"
size="$(du -m "$out" | cut -f1)"
echo "bundle: $out, ${size} MiB packed ($(du -sm "$bundle" | cut -f1) MiB unpacked), $(ls "$bundle"/lib/*.so* | wc -l) libraries"
echo "bundle: needs ${glibc:-glibc} or newer (${fallback:-the same} where the machine has no C++ runtime of its own)"
