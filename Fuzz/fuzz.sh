#!/usr/bin/env bash
# Fuzzes Signet's parsers of outside input with libFuzzer and AddressSanitizer (leaks included),
# outside CI. Per target: at least --seconds of fuzzing and at least --min-runs executions,
# whichever comes later, from the seeds in Corpus/<target> (the growing corpus lives under
# --work, never in the repo). Prints one line per target: executions, seconds, coverage, corpus.
# A crash, hang, leak or out-of-memory input lands in --work/<target>/artifacts and makes the
# script exit 1: copy it to Regressions/<target>/, where FuzzRegressionTests replays it in CI.
#
# Usage: Fuzz/fuzz.sh [--seconds 900] [--min-runs 10000000] [--jobs 2] [--work DIR] [--no-build]
#                     [TARGET ...]
# No TARGET: every target. --no-build: the fuzz binary as last built. Needs Swift 6.1 or later
# with its libFuzzer (Linux toolchains have it).
set -euo pipefail
cd "$(dirname "$0")"

seconds=900 min_runs=10000000 jobs=2 work=/tmp/signet-fuzz build=1 targets=()
while (($#)); do
    case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --min-runs) min_runs=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
((${#targets[@]})) || mapfile -t targets < <(ls Corpus)
for target in "${targets[@]}"; do
    [[ -d Corpus/$target ]] || { echo "fuzz.sh: no target '$target' (the targets are: $(ls Corpus | tr '\n' ' '))" >&2; exit 2; }
done

if ((build)); then
    # SwiftPM keeps a path dependency's list of files in its build plan: without these two, a
    # file added to the root package since the last build is missing from this one.
    rm -f .build/release.yaml .build/build.db
    swift build -c release --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library >&2
fi
binary="$(swift build -c release --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --show-bin-path)/SignetFuzz"

# One libFuzzer run of `target` with extra flags; its log is appended to the target's.
run() {
    local target=$1; shift
    local folder="$work/$target"
    SIGNET_FUZZ_TARGET=$target SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1 \
        "$binary" "$folder/corpus" "Corpus/$target" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$folder/artifacts/" "$@" >>"$folder/log" 2>&1 || true
}

# Fuzzes one target to both limits and prints its line.
fuzz() {
    local target=$1 folder="$work/$1"
    rm -rf "$folder" && mkdir -p "$folder/corpus" "$folder/artifacts"
    local start=$SECONDS
    run "$target" -max_total_time="$seconds"
    local done_runs
    done_runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$folder/log" | awk '{s += $2} END {print s + 0}')
    if ((done_runs < min_runs)) && [[ -z "$(ls -A "$folder/artifacts")" ]]; then
        run "$target" -runs=$((min_runs - done_runs))
        done_runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$folder/log" | awk '{s += $2} END {print s + 0}')
    fi
    local coverage
    coverage=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$folder/log" | tail -1)
    local findings
    findings=$(ls "$folder/artifacts" | wc -l)
    printf '%-18s %12d executions in %5d s, %s, corpus %d inputs, %d findings\n' \
        "$target" "$done_runs" $((SECONDS - start)) "${coverage:-cov: ? ft: ?}" "$(ls "$folder/corpus" | wc -l)" "$findings"
}

status=0
running=0
for target in "${targets[@]}"; do
    fuzz "$target" &
    running=$((running + 1))
    if ((running >= jobs)); then wait -n || true; running=$((running - 1)); fi
done
wait
for target in "${targets[@]}"; do
    if [[ -n "$(ls -A "$work/$target/artifacts" 2>/dev/null)" ]]; then
        echo "fuzz.sh: $target found $(ls "$work/$target/artifacts" | tr '\n' ' ')(in $work/$target/artifacts; log $work/$target/log)" >&2
        status=1
    fi
done
exit $status
