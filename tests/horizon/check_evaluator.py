#!/usr/bin/env python3
"""utfall horizon's evaluator sections against R (evaluator_reference.R).

For each case of evaluator_cases.tsv, runs `utfall horizon EXTRACT --spells
SPELLS ARGS -f json` and compares every value of evaluator_expected.tsv
(case, section, row key, field, value) with the row of that section whose
key it names: to 6 significant digits (relative difference below 5e-7,
1e-12 absolutely near 0), NA in R being null in the JSON.  Row keys: the
row's group values, then the month and the event where the section has
them, joined by "|"; adjusted_terms is month|term, cox_terms the term.
Prints the number of values compared and the largest relative difference.
Usage: check_evaluator.py UTFALL SOURCE_ROOT
"""
import csv
import json
import math
import os
import shlex
import subprocess
import sys

REL = 5e-7


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def row_key(section, row):
    group = row.get("group") or {}
    parts = ["" if v is None else v for v in group.values()]
    if section == "adjusted_terms":
        return f"{row['month']}|{row['term']}"
    if section == "cox_terms":
        return row["term"]
    if "month" in row:
        parts.append(str(row["month"]))
    if "event" in row:
        parts.append(row["event"])
    return "|".join(parts)


def rows_of(doc, section):
    v = doc.get(section)
    if v is None:
        return []
    return [v] if isinstance(v, dict) else v


def main():
    exe, root = sys.argv[1], sys.argv[2]
    here = os.path.join(root, "tests", "horizon")
    cases = read_tsv(os.path.join(here, "evaluator_cases.tsv"))
    expected = read_tsv(os.path.join(here, "evaluator_expected.tsv"))
    failures = checked = 0
    worst = 0.0
    for c in cases:
        args = [exe, "horizon", c["extract"], "--spells", c["spells"], *shlex.split(c["args"]),
                "-f", "json"]
        p = subprocess.run(args, cwd=root, capture_output=True,
                           env={"LANG": "C.UTF-8", "PATH": os.environ.get("PATH", "/usr/bin:/bin")})
        if p.returncode != 0:
            print(f"{c['case']}: exit {p.returncode}: {p.stderr.decode()}")
            failures += 1
            continue
        doc = json.loads(p.stdout)
        index = {}
        for section in {e["section"] for e in expected if e["case"] == c["case"]}:
            for r in rows_of(doc, section):
                index[(section, row_key(section, r))] = r
        for e in expected:
            if e["case"] != c["case"]:
                continue
            where = f"{c['case']} {e['section']} [{e['key']}] {e['field']}"
            r = index.get((e["section"], e["key"]))
            if r is None:
                print(f"{where}: no such row in utfall's output")
                failures += 1
                continue
            got, want = r.get(e["field"]), e["value"]
            checked += 1
            if want == "NA":
                if got is not None:
                    print(f"{where}: utfall {got}, R NA")
                    failures += 1
                continue
            want = float(want)
            if got is None or isinstance(got, bool):
                print(f"{where}: utfall {got}, R {want}")
                failures += 1
                continue
            diff = abs(got - want)
            if want != 0 and diff > 1e-12:  # R's rounding noise near 0 is no difference
                worst = max(worst, diff / abs(want))
            if not (diff <= REL * abs(want) or diff <= 1e-12):
                print(f"{where}: utfall {got!r}, R {want!r}")
                failures += 1
    print(f"{checked} values compared with R, {failures} differ; "
          f"largest relative difference {worst:.3g}")
    return 1 if failures or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
