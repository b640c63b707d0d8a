#!/usr/bin/env bash
# Prints, for each frame of a rendered set, the true plate beside what
# `anpr read` found (best plate first), and how many were read exactly.
# Usage: demo-compare.sh LABELS.jsonl READS.jsonl
set -euo pipefail
/usr/bin/python3 - "$1" "$2" <<'PY'
import json, os, sys
truth = {}
for line in open(sys.argv[1]):
    j = json.loads(line)
    truth[j["file"]] = (j["plate"], j["condition"]["name"])
right = total = 0
for line in open(sys.argv[2]):
    j = json.loads(line)
    plate, cond = truth[os.path.basename(j["file"])]
    got = j["plates"][0]["text"] if j.get("plates") else "(none)"
    total += 1
    right += got == plate
    print(f"  {os.path.basename(j['file'])}  {cond:<13} truth {plate:<8} read {got:<8} {'ok' if got == plate else ''}")
print(f"  {right} of {total} read exactly")
PY
