#!/usr/bin/env python3
"""Runs the unchanged PyTorch reference (reference_gatys.py) once and times it from the call of its main() to the saved
picture: its network load, preprocessing, targets, 200 steps and the PNG. Python's start and `import torch` come before
the clock, as NeuralStyle's libtorch load comes before its clock (eng/finish-compare.sh).

usage: finish-reference.py REFERENCE_DIR [reference_gatys.py arguments...]
prints the reference's own JSON line, then one with wall_s.
"""
import json, sys, time

sys.path.insert(0, sys.argv[1])
import reference_gatys as R  # noqa: E402  (imports torch and torchvision)

sys.argv = ["reference_gatys.py"] + sys.argv[2:]
start = time.perf_counter()
R.main()
print(json.dumps({"wall_s": round(time.perf_counter() - start, 3)}))
