#!/usr/bin/env bash
# Reproduces the dense-network acceptance numbers: median test accuracy over seeds.
#   scripts/acceptance.sh full DEVICE [SEEDS]      full MNIST, 784-32-64-10, 10 epochs (default 3 seeds)
#   scripts/acceptance.sh original DEVICE [SEEDS]  the original study's preset on 1/7 (default 5 seeds)
# Needs a release build (swift build -c release) and SIGNET_DATA.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?full or original}
device=${2:-cpu}
signet=.build/release/signet

case "$mode" in
  full) seeds=${3:-3}; flags=(--preset modern) ;;
  original) seeds=${3:-5}; flags=(--preset original) ;;
  *) echo "acceptance: unknown mode '$mode' (full or original)" >&2; exit 2 ;;
esac

accuracies=()
for seed in $(seq 1 "$seeds"); do
  line=$("$signet" train "${flags[@]}" --seed "$seed" --device "$device" 2>/dev/null | grep '^Test:')
  accuracy=$(grep -oE 'accuracy [0-9.]+%' <<<"$line" | grep -oE '[0-9.]+')
  echo "seed $seed: $line"
  accuracies+=("$accuracy")
done
median=$(printf '%s\n' "${accuracies[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
echo "$mode on $device: median test accuracy $median% over $seeds seeds (${accuracies[*]})"
