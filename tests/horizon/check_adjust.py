#!/usr/bin/env python3
"""utfall horizon --adjust against R (adjust_reference.R, adjust_expected.tsv).

For each case of adjust_cases.tsv, runs `utfall horizon EXTRACT --spells
SPELLS --by insats --ref REF --adjust COLS --months MONTHS -f json` and
compares every row of its section `adjusted` with R's: odds ratios, Wald
intervals, p-values and the standardised difference to 6 significant
digits, the counts and `converged` exactly; and every row of its section
`adjusted_terms` with R's coefficients (adjust_coef.tsv).
Usage: check_adjust.py UTFALL SOURCE_ROOT
"""
import csv
import json
import math
import os
import subprocess
import sys

REL = 5e-7  # agreement to 6 significant digits
NUMBERS = ("odds_ratio", "or_ci_low", "or_ci_high", "p_value", "adjusted_diff",
           "adjusted_diff_ci_low", "adjusted_diff_ci_high")
COUNTS = ("n", "censored", "missing")


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def main():
    exe, root = sys.argv[1], sys.argv[2]
    here = os.path.join(root, "tests", "horizon")
    cases = read_tsv(os.path.join(here, "adjust_cases.tsv"))
    expected = read_tsv(os.path.join(here, "adjust_expected.tsv"))
    coefs = read_tsv(os.path.join(here, "adjust_coef.tsv"))
    failures = checked = 0
    for c in cases:
        args = [exe, "horizon", c["extract"], "--spells", c["spells"], "--by", "insats",
                "--ref", c["ref"], "--adjust", c["adjust"], "--months", c["months"], "-f", "json"]
        p = subprocess.run(args, cwd=root, capture_output=True, env={"LANG": "C.UTF-8",
                           "PATH": os.environ.get("PATH", "/usr/bin:/bin")})
        if p.returncode != 0:
            print(f"{c['case']}: exit {p.returncode}: {p.stderr.decode()}")
            failures += 1
            continue
        doc = json.loads(p.stdout)
        terms = {(r["month"], r["term"]): r for r in doc["adjusted_terms"]}
        want_terms = [e for e in coefs if e["case"] == c["case"]]
        if len(terms) != len(want_terms):
            print(f"{c['case']}: {len(terms)} terms, R has {len(want_terms)}")
            failures += 1
        for e in want_terms:
            key = (int(e["month"]), e["term"])
            r = terms.get(key)
            if r is None:
                print(f"{c['case']} {key}: term missing from utfall's output")
                failures += 1
                continue
            for k in ("odds_ratio", "or_ci_low", "or_ci_high", "p_value"):
                a, b = r[k], float(e[k])
                checked += 1
                if a is None or not math.isclose(a, b, rel_tol=REL, abs_tol=1e-12):
                    print(f"{c['case']} {key} {k}: utfall {a}, R {b}")
                    failures += 1
        got = {(r["group"]["insats"], r["month"]): r for r in doc["adjusted"]}
        want = [e for e in expected if e["case"] == c["case"]]
        if len(got) != len(want):
            print(f"{c['case']}: {len(got)} rows, R has {len(want)}")
            failures += 1
        for e in want:
            key = (e["group"], int(e["month"]))
            r = got.get(key)
            if r is None:
                print(f"{c['case']} {key}: missing from utfall's output")
                failures += 1
                continue
            for k in NUMBERS:
                a, b = r[k], float(e[k])
                checked += 1
                if a is None or not math.isclose(a, b, rel_tol=REL, abs_tol=1e-12):
                    print(f"{c['case']} {key} {k}: utfall {a}, R {b}")
                    failures += 1
            for k in COUNTS:
                checked += 1
                if r[k] != int(e[k]):
                    print(f"{c['case']} {key} {k}: utfall {r[k]}, R {e[k]}")
                    failures += 1
            checked += 1
            if r["converged"] != (e["converged"] == "TRUE") or r["ref"] != {"insats": e["ref"]}:
                print(f"{c['case']} {key}: converged/ref differ: {r['converged']} {r['ref']}")
                failures += 1
    print(f"{checked} values checked against R, {failures} differ")
    return 1 if failures or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
