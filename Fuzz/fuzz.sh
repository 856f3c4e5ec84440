#!/usr/bin/env bash
# Fuzzes Signet's parsers of outside input with libFuzzer and AddressSanitizer (leaks included),
# outside CI. Per target: at least --seconds of fuzzing in this call, and then more until the
# target's campaign holds at least --min-runs executions, from the seeds in Corpus/<target> and
# the corpus earlier calls grew under --work (never in the repo; --fresh starts it over). Prints
# one line per target: this call's and the campaign's executions and seconds, coverage, corpus.
# A crash, hang, leak or out-of-memory input lands in --work/<target>/artifacts and makes the
# script exit 1: copy it to Regressions/<target>/, where FuzzRegressionTests replays it in CI.
# (A later call moves earlier findings to artifacts.previous/.)
#
# Usage: Fuzz/fuzz.sh [--seconds 900] [--min-runs 10000000] [--jobs 2] [--work DIR] [--no-build]
#                     [--fresh] [TARGET ...]
# No TARGET: every target. --no-build: the fuzz binary as last built. Needs Swift 6.1 or later
# with its libFuzzer (Linux toolchains have it).
set -euo pipefail
cd "$(dirname "$0")"

seconds=900 min_runs=10000000 jobs=2 work=/tmp/signet-fuzz build=1 fresh=0 targets=()
while (($#)); do
    case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --min-runs) min_runs=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        --fresh) fresh=1; shift ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

# The executions in a log: the sum of its runs' final counts.
# (Every grep here may match nothing: `|| true`, or errexit would end the target's job silently.)
executions() { { grep -o 'stat::number_of_executed_units: [0-9]*' "$1" 2>/dev/null || true; } | awk '{s += $2} END {print s + 0}'; }

# Fuzzes one target to both limits and prints its line.
fuzz() {
    local target=$1 folder="$work/$1"
    ((fresh)) && rm -rf "$folder"
    mkdir -p "$folder/corpus" "$folder/artifacts"
    if [[ -n "$(ls -A "$folder/artifacts")" ]]; then
        mkdir -p "$folder/artifacts.previous" && mv "$folder/artifacts"/* "$folder/artifacts.previous/"
    fi
    local before start=$SECONDS
    before=$(executions "$folder/log")
    run "$target" -max_total_time="$seconds"
    local total
    total=$(executions "$folder/log")
    if ((total < min_runs)) && [[ -z "$(ls -A "$folder/artifacts")" ]]; then
        run "$target" -runs=$((min_runs - total))
        total=$(executions "$folder/log")
    fi
    local spent=$((SECONDS - start))
    echo "$spent" >>"$folder/seconds"
    if ((total == before)); then touch "$folder/did-not-run"; else rm -f "$folder/did-not-run"; fi
    local coverage
    coverage=$({ grep -o 'cov: [0-9]* ft: [0-9]*' "$folder/log" || true; } | tail -1)
    printf '%-18s %11d executions in %5d s; campaign %11d in %6d s; %s, corpus %d inputs, %d findings\n' \
        "$target" $((total - before)) "$spent" "$total" "$(awk '{s += $1} END {print s + 0}' "$folder/seconds")" \
        "${coverage:-cov: ? ft: ?}" "$(ls "$folder/corpus" | wc -l)" "$(ls "$folder/artifacts" | wc -l)"
}

# The targets' jobs, at most --jobs at a time; a job fails when its target found something or
# its fuzzer never ran (this call added no executions to the log).
status=0
pids=()
for target in "${targets[@]}"; do
    if ((${#pids[@]} >= jobs)); then wait -n || true; fi
    fuzz "$target" &
    pids+=($!)
    # Forget the jobs that have ended.
    alive=()
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    pids=("${alive[@]}")
done
wait || true
for target in "${targets[@]}"; do
    folder="$work/$target"
    if [[ -n "$(ls -A "$folder/artifacts" 2>/dev/null)" ]]; then
        echo "fuzz.sh: $target found $(ls "$folder/artifacts" | tr '\n' ' ')(in $folder/artifacts; log $folder/log)" >&2
        status=1
    elif [[ -e "$folder/did-not-run" ]]; then
        echo "fuzz.sh: $target did not run (see $folder/log)" >&2
        status=1
    fi
done
exit $status
