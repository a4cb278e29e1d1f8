#!/usr/bin/env python3
"""Medians and ratios of eng/speed-compare.sh's rounds.

usage: speed-table.py OURS.jsonl PYTORCH.jsonl
Each file holds one JSON line per size per round (ms_per_step is that round's median of 3 runs). Prints a markdown
table: per size the median over rounds on each side, the ratio NeuralStyle / PyTorch (lower is better), the range of
the per-round ratios with their median (the ratio of medians and the median of ratios differ when rounds are uneven),
and NeuralStyle's achieved GFLOP/s against the CPU's peak. Writes OURS-median.jsonl and
PYTORCH-median.jsonl beside the inputs (for the chart).
"""
import json, os, statistics, sys


def load(path):
    rows = {}
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            r = json.loads(line)
            rows.setdefault((r["height"], r["width"]), []).append(r)
    return rows


ours, theirs = load(sys.argv[1]), load(sys.argv[2])
print("| size | PyTorch 2.6 ms/step | NeuralStyle ms/step | ratio | per-round ratios (median) | GFLOP/step | NeuralStyle GFLOP/s | share of peak |")
print("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
for path, rows in ((sys.argv[1], ours), (sys.argv[2], theirs)):
    with open(os.path.splitext(path)[0] + "-median.jsonl", "w") as f:
        for key, rs in sorted(rows.items()):
            f.write(json.dumps(dict(rs[0], ms_per_step=statistics.median(r["ms_per_step"] for r in rs))) + "\n")
for key in sorted(ours):
    a, b = ours[key], theirs.get(key, [])
    if not b:
        continue
    ma, mb = statistics.median(r["ms_per_step"] for r in a), statistics.median(r["ms_per_step"] for r in b)
    pairs = [x["ms_per_step"] / y["ms_per_step"] for x, y in zip(a, b)]
    gflop = a[0].get("gflop_per_step", float("nan"))
    gflops = gflop / (ma / 1000)
    peak = a[0].get("peak_gflops", float("nan"))
    print(f"| {key[1]}×{key[0]} | {mb:.1f} | {ma:.1f} | **{ma / mb:.2f}** | {min(pairs):.2f}–{max(pairs):.2f} ({statistics.median(pairs):.2f}) | {gflop:.2f} | {gflops:.0f} | {100 * gflops / peak:.0f} % of {peak:.0f} |")
