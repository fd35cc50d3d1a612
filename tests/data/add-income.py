#!/usr/bin/env python3
"""Add income source columns (forsorjning_fore, forsorjning_efter) to a
synthetic extract of `utfall synth`, deterministically, so that the
report's section on income before and after, and its goals on income, can
be tested on small extracts with small counts.

    add-income.py IN.csv OUT.csv

Every row is synthetic (utfall synth); the sources are drawn from the row's
position only: most had aktivitetsersättning at enrolment, some
sjukersättning or försörjningsstöd, a few none stated; at exit, work gives
lön, studies studiemedel, job-seeking aktivitetsstöd, the rest mostly keep
the source, and a few exits state none.  Active rows have no source at
exit.  The files made so (tests/data/synth25-s*-income.csv):

    build/cmd/utfall synth --rows 25 --seed 2 | python3 tests/data/add-income.py - tests/data/synth25-s2-income.csv
"""
import csv
import sys

src = sys.stdin if sys.argv[1] == "-" else open(sys.argv[1], newline="", encoding="utf-8")
rows = list(csv.reader(src))
header, data = rows[0], rows[1:]
col = {name: i for i, name in enumerate(header)}
before = ["aktivitetsersattning"] * 7 + ["sjukersattning", "forsorjningsstod", ""]
after_of = {"arbete": "lon", "arbete_med_stod": "lon", "studier": "studiemedel",
            "arbetssokande": "aktivitetsstod"}
out = []
for n, r in enumerate(data):
    fore = before[(n * 7) % len(before)]
    exited = r[col["avslutad"]] != ""
    outcome = r[col["avslutsorsak"]]
    if not exited:
        efter = ""
    elif n % 11 == 5:
        efter = ""  # not stated
    else:
        efter = after_of.get(outcome, fore or "annan")
    out.append(r + [fore, efter])
with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(header + ["forsorjning_fore", "forsorjning_efter"])
    w.writerows(out)
