#!/usr/bin/env python3
"""The table of eng/finish-compare.sh: per preset and side, the median wall time to the saved picture and the median
total loss of the picture by the reference's own loss code; the ratio of each NeuralStyle side's wall time to the
reference's, and whether its picture's loss is no higher than the reference's (issue #16, target 2: ratio <= 0.33).

usage: finish-table.py RUNS.jsonl SCORES.jsonl
"""
import json, statistics, sys

runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
scores = {d["png"]: d for d in map(json.loads, (l for l in open(sys.argv[2]) if l.strip()))}
sides = ["reference", "neuralstyle-quick", "neuralstyle-seed"]
label = {"reference": "PyTorch reference (Adam)", "neuralstyle-quick": "NeuralStyle, quick schedule (L-BFGS)", "neuralstyle-seed": "NeuralStyle, seed schedule (Adam)"}
print("| preset | run | iterations | wall s (median) | per-round wall s | loss of the saved picture (median) | content / style / TV | ratio to the reference | loss ≤ reference's |")
print("| --- | --- | ---: | ---: | --- | ---: | --- | ---: | --- |")
for preset in dict.fromkeys(r["preset"] for r in runs):
    mine = {s: [r for r in runs if r["preset"] == preset and r["side"] == s] for s in sides}
    ref_wall = statistics.median(r["wall_s"] for r in mine["reference"])
    ref_loss = statistics.median(scores[r["png"]]["total"] for r in mine["reference"])
    for side in sides:
        rs = mine[side]
        if not rs:
            continue
        wall = statistics.median(r["wall_s"] for r in rs)
        sc = [scores[r["png"]] for r in rs]
        loss = statistics.median(s["total"] for s in sc)
        terms = " / ".join(f"{statistics.median(s[k] for s in sc):,.0f}" for k in ("content", "style", "tv"))
        its = rs[0].get("iterations_done", rs[0].get("steps", 200))
        ratio = "—" if side == "reference" else f"**{wall / ref_wall:.2f}**"
        ok = "—" if side == "reference" else ("yes" if max(s["total"] for s in sc) <= ref_loss else "no")
        per_round = ", ".join(f"{r['wall_s']:.2f}" for r in rs)
        print(f"| {preset.replace('_', '-')} | {label[side]} | {its} | {wall:.2f} | {per_round} | {loss:,.0f} | {terms} | {ratio} | {ok} |")
