#!/usr/bin/env bash
# Whole-process benchmark: `event-architect plan FILE --format json` against GNU `tsort` on the
# same graph (written as a `from to` pair list), at 10k services/50k edges, 100k/1M and,
# with --large, 1M/5M.
#
#   scripts/bench_vs_tsort.sh [--large] [--runs N] [--dir DIR]
#
# Reports, per size: median wall time of N runs (hyperfine when installed, else a timing loop),
# peak RSS (GNU time's "Maximum resident set size", one run each) and the ratio ours/tsort.
# Generated files go to DIR (default /tmp/event-architect-bench), never into the repository.
# Installs hyperfine and GNU time with apt-get when they are missing and it runs as root.
set -euo pipefail

runs=5
large=0
dir=/tmp/event-architect-bench
while [[ $# -gt 0 ]]; do
    case "$1" in
        --large) large=1 ;;
        --runs) runs="$2"; shift ;;
        --dir) dir="$2"; shift ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "error: unknown argument $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

source "$root/scripts/bench_common.sh"
install_timing_tools
command -v tsort >/dev/null || { echo "error: GNU tsort (coreutils) is required" >&2; exit 2; }

echo "building (release)..." >&2
cargo build --release --quiet --bin event-architect --example gen_design
ours="$root/target/release/event-architect"
gen="$root/target/release/examples/gen_design"
mkdir -p "$dir"

sizes=("10000 50000" "100000 1000000")
[[ $large -eq 1 ]] && sizes+=("1000000 5000000")

tool=$(command -v hyperfine >/dev/null && echo "hyperfine, $runs runs + 1 warm-up" || echo "shell loop, $runs runs + 1 warm-up")
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg); $(tsort --version | head -1); timing: $tool"
printf '\n| services / edges | JSON / pairs size | ours median wall | tsort median wall | ours/tsort (wall) | ours / tsort CPU (1 run) | ours peak RSS | tsort peak RSS |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for size in "${sizes[@]}"; do
    read -r n e <<<"$size"
    json="$dir/design-$n-$e.json"
    pairs="$dir/design-$n-$e.pairs"
    if [[ ! -s $json || ! -s $pairs ]]; then
        "$gen" --services "$n" --edges "$e" --seed 1 --json "$json" --pairs "$pairs"
    fi
    # Exit code 0 expected (acyclic); anything else is a failure of the benchmark.
    "$ours" plan "$json" --format json >/dev/null
    ours_cmd="$ours plan $json --format json > /dev/null"
    tsort_cmd="tsort $pairs > /dev/null"
    t_ours=$(median_seconds "$ours_cmd")
    t_tsort=$(median_seconds "$tsort_cmd")
    read -r m_ours c_ours <<<"$(peak_and_cpu "$ours plan $json --format json")"
    read -r m_tsort c_tsort <<<"$(peak_and_cpu "tsort $pairs")"
    ratio=$(awk -v a="$t_ours" -v b="$t_tsort" 'BEGIN {printf "%.2f", a / b}')
    size=$(du -m "$json" | cut -f1)/$(du -m "$pairs" | cut -f1)
    printf '| %s / %s | %s MB | %.3f s | %.3f s | %sx | %s s / %s s | %s MiB | %s MiB |\n' \
        "$n" "$e" "$size" "$t_ours" "$t_tsort" "$ratio" "$c_ours" "$c_tsort" "$m_ours" "$m_tsort"
done
