#!/usr/bin/env python3
"""Graphviz dot on a design with each of our stages pinned as one rank (`rank=same`), so its
edge crossings can be compared with ours on the same columns. Prints one JSON line,
{"dot_same_stages": {"crossings": N, "seconds": S}}.

    scripts/dot_same_stages.py DESIGN.json EVENT_ARCHITECT_BIN TOOLS_DIR

The stages are the ones `event-architect plan --format json` gives each service (a cycle group
shares one). Everything else (box size, edge labels, how dot is run and timed, how crossings
are counted) is TOOLS_DIR/svg_metrics.py's own `metrics_dot`, reused by adding the rank lines
to the graph it hands to dot, so the two dot columns of scripts/bench_layout.sh differ only in
the ranks."""
import collections, json, subprocess, sys

design_path, binary, tools = sys.argv[1:4]
sys.path.insert(0, tools)
import svg_metrics  # noqa: E402

plan = subprocess.run([binary, "plan", design_path, "--format", "json"], capture_output=True)
if not plan.stdout:
    sys.exit("error: event-architect plan %s wrote no plan: %s" % (design_path, plan.stderr.decode()))
by_stage = collections.defaultdict(list)
for step in json.loads(plan.stdout)["steps"]:
    by_stage[step["stage"]].append(step["id"])
quote = lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
ranks = "".join("{rank=same; " + " ".join(quote(v) + ";" for v in by_stage[s]) + "}\n"
                for s in sorted(by_stage)).encode()

run = subprocess.run


def run_with_ranks(cmd, input=None, **kwargs):
    """svg_metrics' dot call, with the rank lines before the graph's closing brace."""
    if cmd and cmd[0] == "dot" and input is not None:
        cut = input.rstrip().rfind(b"}")
        input = input[:cut] + ranks + input[cut:]
    return run(cmd, input=input, **kwargs)


svg_metrics.subprocess.run = run_with_ranks
result = svg_metrics.metrics_dot(json.load(open(design_path)))
print(json.dumps({"dot_same_stages": result}))
