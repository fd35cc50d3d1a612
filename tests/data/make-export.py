#!/usr/bin/env python3
"""Write tests/data/export-excel.csv: a synthetic extract the way a case
system's export, opened and saved in an Excel that was not set up in
Swedish, gives it (issue 15): semicolons, Windows-1252, CRLF, the case
system's own headings, dates in the forms Excel writes them, an own
outcome word (Sjukskriven) and income sources combined in one field.
No real person is in it: ids D0001..D0040, values drawn from a fixed seed.

    python3 tests/data/make-export.py            write the file
    python3 tests/data/make-export.py --check    compare with it (exit 1 if it differs)
    python3 tests/data/make-export.py --figures  the figures a report must show,
                                                 counted here, apart from utfall

The figures are what tests/cli/cases/report/export-excel-report-sv.case
checks in the report; this script counts them with the Python standard
library only, from the rows it writes, so the check does not rest on
utfall's own arithmetic.  Python 3 standard library only.
"""
import datetime
import os
import random
import statistics
import sys

HEADER = ("Deltagar-ID;Kön;Födelseår;Kommun;Inskrivningsdatum;Utskrivningsdatum;"
          "Avslutsorsak;Aktivitet tim/v vid start;Aktivitet tim/v vid avslut;"
          "Försörjning vid start;Försörjning vid avslut;Handläggare;Kommentar")

# exit outcomes as the case system writes them, with how many exited so
OUTCOMES = [("Arbete", 9), ("Studier", 5), ("Arbetssökande", 4), ("Sjukskriven", 5),
            ("Flytt", 3), ("Avbrott", 4)]
KEYS = {"Arbete": "arbete", "Studier": "studier", "Arbetssökande": "arbetssokande",
        "Sjukskriven": "vard", "Flytt": "flytt", "Avbrott": "avbrott"}
N, N_EXITED = 40, 30
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def excel_day(d):
    return (d - EXCEL_EPOCH).days


def enrolment_text(i, d):
    """Day first, as a non-Swedish Excel writes dates: mostly 20/3/2025,
    some 20.03.2025, some year first without zeros (2025-6-3)."""
    if i % 7 == 3:
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if i % 11 == 5:
        return f"{d.year}-{d.month}-{d.day}"
    return f"{d.day}/{d.month}/{d.year}"


def exit_text(i, d):
    """Midnight datetimes, and some Excel day numbers."""
    if d is None:
        return ""
    if i % 5 == 2:
        return str(excel_day(d))
    return f"{d.isoformat()} 00:00:00"


def hours_text(h):
    if h is None:
        return ""
    return str(h).replace(".", ",").removesuffix(",0")


def rows():
    rng = random.Random(15)
    outcomes = [name for name, n in OUTCOMES for _ in range(n)]
    rng.shuffle(outcomes)
    out = []
    for i in range(N):
        exited = i < N_EXITED
        start = datetime.date(2024, 1, 8) + datetime.timedelta(days=rng.randrange(0, 420))
        end = start + datetime.timedelta(days=rng.randrange(60, 300)) if exited else None
        before = rng.choice([0, 2, 4, 5, 7.5, 8, 10])
        after = before + rng.choice([-2, 0, 0, 4, 6, 10, 12.5]) if exited else None
        if after is not None and after < 0:
            after = 0
        if i % 9 == 4:
            after = None  # not measured at exit
        income_before = ("Aktivitetsersättning + försörjningsstöd" if i % 7 == 1
                         else "Försörjningsstöd" if i % 10 == 6 else "Aktivitetsersättning")
        outcome = outcomes[i] if exited else ""
        income_after = ""
        if exited:
            income_after = {"Arbete": "Lön", "Studier": "Studiemedel"}.get(
                outcome, "Aktivitetsersättning och lön" if i % 8 == 0 else "Aktivitetsersättning")
        out.append({
            "id": f"D{i + 1:04d}",
            "kon": "Kvinna" if rng.random() < 0.55 else "Man",
            "fodelsear": rng.randrange(1996, 2005),
            "kommun": "Ludvika" if rng.random() < 0.6 else "Smedjebacken",
            "start": start, "end": end, "outcome": outcome,
            "before": before, "after": after,
            "income_before": income_before, "income_after": income_after,
            "handlaggare": rng.choice(["AB", "CD", "EF"]),
            "kommentar": rng.choice(["", "", "ringde", "uppföljning klar"]),
        })
    return out


def text(rs):
    lines = [HEADER]
    for i, r in enumerate(rs):
        lines.append(";".join([
            r["id"], r["kon"], str(r["fodelsear"]), r["kommun"], enrolment_text(i, r["start"]),
            exit_text(i, r["end"]), r["outcome"], hours_text(r["before"]),
            hours_text(r["after"]), r["income_before"], r["income_after"], r["handlaggare"],
            r["kommentar"]]))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def figures(rs):
    """What the report must show, counted here."""
    exited = [r for r in rs if r["end"]]
    reached = [r for r in exited if KEYS[r["outcome"]] in ("arbete", "studier")]
    with_hours = [r for r in exited if r["after"] is not None]
    change = [r["after"] - r["before"] for r in with_hours]
    days = [(r["end"] - r["start"]).days for r in exited]
    f = {
        "enrolled": len(rs),
        "exited": len(exited),
        "active": len(rs) - len(exited),
        "women": sum(r["kon"] == "Kvinna" for r in rs),
        "men": sum(r["kon"] == "Man" for r in rs),
        "ludvika": sum(r["kommun"] == "Ludvika" for r in rs),
        "smedjebacken": sum(r["kommun"] == "Smedjebacken" for r in rs),
        "reached": len(reached),
        "share": 100 * len(reached) / len(exited),
        "sjukskriven": sum(r["outcome"] == "Sjukskriven" for r in exited),
        "hours_n": len(with_hours),
        "increased": sum(c > 0 for c in change),
        "unchanged": sum(c == 0 for c in change),
        "decreased": sum(c < 0 for c in change),
        "mean_change": statistics.mean(change),
        "hours_missing": len(rs) - len(with_hours),
        "mean_days": statistics.mean(days),
        "combined_before": sum("+" in r["income_before"] for r in rs),
        "first_enrolment": min(r["start"] for r in rs).isoformat(),
        "last_enrolment": max(r["start"] for r in rs).isoformat(),
        "median_days": statistics.median(days),
        "min_days": min(days),
        "max_days": max(days),
        "ludvika_exited": sum(r["kommun"] == "Ludvika" for r in exited),
        "ludvika_reached": sum(r["kommun"] == "Ludvika" for r in reached),
        "age 20-24": sum(20 <= r["start"].year - r["fodelsear"] <= 24 for r in rs),
        "age 25-29": sum(25 <= r["start"].year - r["fodelsear"] <= 29 for r in rs),
        "serial exits": sum(i % 5 == 2 and r["end"] is not None for i, r in enumerate(rs)),
        "women sjukskriven": sum(r["kon"] == "Kvinna" and r["outcome"] == "Sjukskriven"
                                 for r in exited),
    }
    for name, _ in OUTCOMES:
        f["outcome " + name] = sum(r["outcome"] == name for r in exited)
    return f


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "export-excel.csv")
    rs = rows()
    data = text(rs)
    if "--figures" in sys.argv:
        for k, v in figures(rs).items():
            print(f"{k}: {v:.4f}" if isinstance(v, float) else f"{k}: {v}")
        return 0
    if "--check" in sys.argv:
        with open(path, "rb") as fh:
            same = fh.read() == data
        print("export-excel.csv: " + ("as made" if same else "differs from what the script makes"))
        return 0 if same else 1
    with open(path, "wb") as fh:
        fh.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
