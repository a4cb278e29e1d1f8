#!/usr/bin/env python3
"""Writes the dpkg status of a minimal Debian 12 to stdout: bookworm's Priority: required packages and everything they
depend on (Depends, Pre-Depends; the first alternative, virtual packages through Provides), as installed. What
debootstrap's minbase installs; the debian:12 container image holds about the same.

    python3 eng/minimal-bookworm-status.py > /tmp/status
    bash eng/install-prerequisites.sh --check --dpkg-status /tmp/status

It reads bookworm's main package list from apt's lists on this machine (a Debian 12 machine has it after
apt-get update; LISTS overrides the file). Nothing is installed or changed.
"""
import glob
import os
import re
import subprocess
import sys

pattern = os.environ.get("LISTS", "/var/lib/apt/lists/*_debian_dists_bookworm_main_binary-*_Packages*")
files = sorted(glob.glob(pattern))
if not files:
    sys.exit(f"minimal-bookworm-status: no bookworm package list matches {pattern}; run apt-get update on Debian 12")
text = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", files[0]], check=True, capture_output=True, text=True).stdout

packages, provided_by = {}, {}
for stanza in (s for s in text.split("\n\n") if s.strip()):
    fields = dict(m.groups() for m in re.finditer(r"^([A-Za-z-]+): (.*)$", stanza, re.MULTILINE))
    packages[fields["Package"]] = (stanza.strip(), fields)
    for provided in filter(None, (p.strip().split(" ")[0] for p in fields.get("Provides", "").split(","))):
        provided_by.setdefault(provided, fields["Package"])

todo = [name for name, (_, fields) in packages.items() if fields.get("Priority") == "required"]
selected = set()
while todo:
    name = todo.pop()
    name = name if name in packages else provided_by.get(name, name)
    if name in selected or name not in packages:
        continue
    selected.add(name)
    fields = packages[name][1]
    for dependency in (d.strip() for key in ("Pre-Depends", "Depends") for d in fields.get(key, "").split(",")):
        alternatives = [a.strip().split(" ")[0].split(":")[0] for a in dependency.split("|") if a.strip()]
        if alternatives and not any(a in selected for a in alternatives):
            todo.append(alternatives[0])

for name in sorted(selected):
    lines = packages[name][0].split("\n")
    print("\n".join([lines[0], "Status: install ok installed", *lines[1:]]) + "\n")
print(f"minimal-bookworm-status: {len(selected)} packages", file=sys.stderr)
