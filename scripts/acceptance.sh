#!/usr/bin/env bash
# Reproduces the acceptance numbers of the dense network and the CNNs: median test accuracy over seeds.
#   scripts/acceptance.sh full DEVICE [SEEDS]      full MNIST, 784-32-64-10, 10 epochs (default 3 seeds)
#   scripts/acceptance.sh original DEVICE [SEEDS]  the original study's preset on 1/7 (default 5 seeds)
#   scripts/acceptance.sh cnn DEVICE [SEEDS]       full MNIST, model cnn, 12 epochs (default 3 seeds)
#   scripts/acceptance.sh cnn2 DEVICE [SEEDS]      full MNIST, model cnn2, 15 epochs (default 3 seeds)
# Needs a release build (swift build -c release) and SIGNET_DATA.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?full, original, cnn or cnn2}
device=${2:-cpu}
signet=.build/release/signet

case "$mode" in
  full) seeds=${3:-3}; flags=(--preset modern) ;;
  original) seeds=${3:-5}; flags=(--preset original) ;;
  cnn) seeds=${3:-3}; flags=(--model cnn --epochs 12) ;;
  cnn2) seeds=${3:-3}; flags=(--model cnn2 --epochs 15) ;;
  *) echo "acceptance: unknown mode '$mode' (full, original, cnn or cnn2)" >&2; exit 2 ;;
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
