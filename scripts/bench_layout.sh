#!/usr/bin/env bash
# Layout quality and speed: `event-architect render --auto-layout` against Graphviz `dot` on the
# same graphs, in one run: the samples, generated designs of 300, 1,000 and 5,000 services (two
# edges a service) and, when this build has an `import` subcommand, the SAM templates in
# ../shared/sam-templates (or --templates DIR).
#
#   scripts/bench_layout.sh [--runs N] [--dot-large] [--templates DIR] [--dir DIR]
#
# Per design and layout (compact, the default of `--auto-layout`, then stage columns,
# `--auto-layout=stages`): box overlaps, label overlaps and edges
# through boxes (all must be 0), crossings (ours; dot's with its own ranks; dot's with our
# stages pinned as its ranks, from scripts/dot_same_stages.py), our median wall time over N
# runs (default 5) of the whole render (load, layout, routing, labels, SVG) and dot's time for
# one layout (`dot -Tjson`, own ranks; pinned to our stages it takes far longer: 220 s at 1,000
# services). Counts come from ../shared/tools/svg_metrics.py. dot is skipped at 5,000 services
# unless --dot-large (it takes far longer than a minute). Files go to DIR (default
# /tmp/event-architect-layout-bench).
# Installs graphviz with apt-get when dot is missing and it runs as root.
set -euo pipefail

runs=5
dot_large=0
dir=/tmp/event-architect-layout-bench
root="$(cd "$(dirname "$0")/.." && pwd)"
templates="$root/../shared/sam-templates"
metrics="$root/../shared/tools/svg_metrics.py"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) runs="$2"; shift ;;
        --dot-large) dot_large=1 ;;
        --templates) templates="$2"; shift ;;
        --dir) dir="$2"; shift ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "error: unknown argument $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done
cd "$root"
[[ -f "$metrics" ]] || { echo "error: $metrics not found (it ships in ../shared/tools)" >&2; exit 2; }
if ! command -v dot >/dev/null; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        apt-get install -y -qq graphviz >/dev/null 2>&1 ||
            { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq graphviz >/dev/null 2>&1; }
    fi
    command -v dot >/dev/null || { echo "error: Graphviz dot is missing: apt-get install graphviz" >&2; exit 2; }
fi

cargo build --release --quiet --bin event-architect --example gen_design
bin="$root/target/release/event-architect"
gen="$root/target/release/examples/gen_design"
mkdir -p "$dir"

designs=()
for f in samples/*.json; do
    [[ "$f" == *.scenario.json ]] || designs+=("$f")
done
for n in 300 1000 5000; do
    layers=$(python3 -c "import math; print(max(4, int(math.sqrt($n) * 0.8)))")
    out="$dir/generated-$n.json"
    [[ -f "$out" ]] || "$gen" --services "$n" --edges $((2 * n)) --layers "$layers" --json "$out" >/dev/null
    designs+=("$out")
done
# Only a build that lists an `import` subcommand (the template importer) can measure templates.
if [[ -d "$templates" ]] && "$bin" --help | grep -qE '^  import\b'; then
    for t in "$templates"/*.yaml "$templates"/*.yml "$templates"/*.json; do
        [[ -f "$t" ]] || continue
        out="$dir/template-$(basename "${t%.*}").json"
        # Exit 1 means imported, with a loop that is not marked intentional.
        rc=0
        "$bin" import "$t" -o "$out" >/dev/null 2>&1 || rc=$?
        if [[ $rc -le 1 && -f "$out" ]]; then
            designs+=("$out")
        else
            echo "note: could not import $t (skipped)" >&2
        fi
    done
else
    echo "note: no templates measured (no $templates, or no import subcommand in this build)" >&2
fi

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# One line per design and layout: ours compact (`--auto-layout`, the default) and with stage
# columns (`--auto-layout=stages`); dot's two columns are the same on both lines.
printf '%-28s %-7s %8s %6s %6s %6s %7s %9s %9s %9s %9s %9s\n' design columns services edges box_ov lab_ov through crossings dot_cross dot_same ours_s dot_s
for d in "${designs[@]}"; do
    name=$(basename "${d%.json}")
    services=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['services']))" "$d")
    dot='{"dot": {"crossings": "-", "seconds": "nan"}}'
    same='{"dot_same_stages": {"crossings": "-"}}'
    for columns in compact stages; do
        svg="$dir/$name-$columns.svg"
        times=()
        for _ in $(seq "$runs"); do
            start=$(date +%s%N)
            "$bin" render "$d" --auto-layout="$columns" -o "$svg" 2>/dev/null || [[ $? -eq 1 ]]
            end=$(date +%s%N)
            times+=("$(awk -v ns=$((end - start)) 'BEGIN {print ns / 1e9}')")
        done
        ours=$(printf '%s\n' "${times[@]}" | median)
        if [[ $columns == compact && ($services -lt 5000 || $dot_large -eq 1) ]]; then
            out=$(python3 "$metrics" "$svg" "$d")
            dot=$(sed -n 2p <<<"$out")
            same=$(python3 scripts/dot_same_stages.py "$d" "$bin" "$(dirname "$metrics")")
        else
            out=$(python3 "$metrics" "$svg")
        fi
        python3 - "$name" "$columns" "$ours" "$(head -n 1 <<<"$out")" "$dot" "$same" <<'EOF'
import json, sys
name, columns, ours = sys.argv[1], sys.argv[2], float(sys.argv[3])
m, dot, same = (json.loads(a) for a in sys.argv[4:7])
dot, same = dot["dot"], same["dot_same_stages"]
print("%-28s %-7s %8d %6d %6d %6d %7d %9d %9s %9s %9.3f %9.3f" % (name, columns, m["services"],
      m["edges"], m["box_overlaps"], m["label_overlaps"], m["edges_through_boxes"], m["crossings"],
      dot["crossings"], same["crossings"], ours, float(dot["seconds"])))
EOF
    done
done
