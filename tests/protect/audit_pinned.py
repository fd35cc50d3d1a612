#!/usr/bin/env python3
"""Read an --audit file and fail when the protection left a sensitive count
recoverable: a hidden count (primary or secondary) or a sensitive implied
complement whose range of values an attacker can infer is a single value.

    audit_pinned.py AUDIT.json [AUDIT.json ...]

Prints one line per problem and exits 1 when there is one, else prints
"audit: N cells, H hidden, none pinned" and exits 0.  The report's CLI
cases run it after --suppress N --audit FILE (tests/cli/cases/report/).
"""
import json
import sys

problems = []
total = hidden = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        audit = json.load(f)
    for cell in audit["cells"]:
        total += 1
        status = cell["status"]
        lo, hi = cell.get("interval", [None, None])
        if status in ("primary", "secondary"):
            hidden += 1
            if lo is None or hi is None or lo >= hi:
                problems.append(f"{path}: hidden {cell['definition']} is pinned to {lo}..{hi}")
        elif status == "implied" and cell.get("sensitive"):
            if lo is None or hi is None or lo >= hi:
                problems.append(f"{path}: implied {cell['definition']} is pinned to {lo}..{hi}")
        elif status == "published" and "interval" in cell and cell.get("sensitive"):
            problems.append(f"{path}: sensitive {cell['definition']} is published")
for p in problems:
    print(p)
if problems:
    sys.exit(1)
print(f"audit: {total} cells, {hidden} hidden, none pinned")
