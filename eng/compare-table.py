#!/usr/bin/env python3
"""Prints a markdown table comparing NeuralStyle's runner with the PyTorch reference from their JSON lines.

usage: compare-table.py NEURALSTYLE.jsonl PYTORCH.jsonl
Rows are matched by preset (preset runs) or by size (step timings); the ratio is NeuralStyle / PyTorch (lower is better).
"""
import json, sys

def rows(path):
    out = {}
    for line in open(path):
        line = line.strip()
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        key = r.get("preset") or "x".join(str(v) for v in (r.get("size") or [r.get("height"), r.get("width")]))
        out[key] = r
    return out

ours, theirs = rows(sys.argv[1]), rows(sys.argv[2])
print("| case | device | NeuralStyle ms/step | PyTorch ms/step | ratio | NeuralStyle total loss | PyTorch total loss |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
for key in ours:
    a, b = ours[key], theirs.get(key)
    if b is None:
        continue
    ratio = a["ms_per_step"] / b["ms_per_step"] if b["ms_per_step"] else float("nan")
    total_a = a.get("total", a.get("total_loss", float("nan")))
    print(f"| {key} | {a['device']} | {a['ms_per_step']:.2f} | {b['ms_per_step']:.2f} | {ratio:.2f} | {total_a:.6g} | {b.get('total', float('nan')):.6g} |")
