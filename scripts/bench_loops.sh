#!/usr/bin/env bash
# Whole-process benchmark of `event-architect check` on designs where every service is in a
# loop: self-loops, pairs (a -> b -> a) and one ring, at 10k, 100k and 1M services, plus the
# 200,000 self-loops of the target. The files are bare (ids, kinds, edges with their event), as
# a hostile or generated design would be. Then the memory of reading a valid design followed by
# junk: 1 GiB and 4 GiB of zeros after it (sparse files), from a file and through a pipe.
#
#   scripts/bench_loops.sh [--runs N] [--dir DIR]
#
# Reports median wall time of N runs (hyperfine when installed, else a timing loop), peak RSS
# and CPU time of one run (GNU time), and per shape the ratio of 1M's time to 10k's (100x the
# loops; the target is at most 150x). Generated files go to DIR (default
# /tmp/event-architect-bench), never into the repository.
set -euo pipefail

runs=5
dir=/tmp/event-architect-bench
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) runs="$2"; shift ;;
        --dir) dir="$2"; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "error: unknown argument $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source "$root/scripts/bench_common.sh"
install_timing_tools

echo "building (release)..." >&2
cargo build --release --quiet --bin event-architect --example gen_design
ours="$root/target/release/event-architect"
gen="$root/target/release/examples/gen_design"
mkdir -p "$dir"

tool=$(command -v hyperfine >/dev/null && echo "hyperfine, $runs runs + 1 warm-up" || echo "shell loop, $runs runs + 1 warm-up")
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); timing: $tool"
printf '\n| design | services | file | check median wall | CPU (1 run) | peak RSS |\n'
printf '|---|---|---|---|---|---|\n'
declare -A first
ratios=()
for shape in self-loops pairs ring; do
    sizes=(10000 100000 1000000)
    [[ $shape == self-loops ]] && sizes=(10000 100000 200000 1000000)
    for n in "${sizes[@]}"; do
        file="$dir/loops-$shape-$n.json"
        [[ -s $file ]] || "$gen" --shape "$shape" --services "$n" --bare --json "$file"
        # Exit 1 expected (the design has cycles); anything else fails the benchmark.
        status=0
        "$ours" check "$file" >/dev/null || status=$?
        [[ $status -eq 1 ]] || { echo "error: check $file exited $status, not 1" >&2; exit 1; }
        t=$(median_seconds "$ours check $file > /dev/null")
        read -r m c <<<"$(peak_and_cpu "$ours check $file")"
        printf '| %s | %s | %s MB | %.3f s | %s s | %s MiB |\n' \
            "$shape" "$n" "$(du -m "$file" | cut -f1)" "$t" "$c" "$m"
        [[ $n -eq 10000 ]] && first[$shape]=$t
        [[ $n -eq 1000000 ]] && ratios+=("$shape: 1M/10k = $(awk -v a="$t" -v b="${first[$shape]}" 'BEGIN {printf "%.0f", a / b}')x")
    done
done
echo
printf 'time ratio for 100x the loops (target at most 150x): %s\n' "$(IFS=';'; echo "${ratios[*]}")"

printf '\n| valid design followed by | read from | exit | wall | peak RSS |\n|---|---|---|---|---|\n'
design=samples/register_login.json
size=$(stat -c %s "$design")
for gib in 1 4; do
    tailed="$dir/tailed-$gib.json"
    cp "$design" "$tailed"
    truncate -s $((size + (gib << 30))) "$tailed" # sparse zeros: no disk
    for source in file pipe; do
        log="$dir/time.log"
        if [[ $source == file ]]; then
            command="$ours check $tailed"
        else
            command="$ours check - < $tailed"
        fi
        status=0
        /usr/bin/time -v bash -c "exec $command" 2>"$log" >/dev/null || status=$?
        awk -F': ' -v what="$gib GiB of zeros" -v src="$source" -v code="$status" \
            '/Elapsed/ {w = $2} /Maximum resident set size/ {m = $2 / 1024}
            END {printf "| %s | %s | %s | %s | %.0f MiB |\n", what, src, code, w, m}' "$log"
    done
    rm -f "$tailed"
done
