#!/usr/bin/env python3
"""Write an extract the way Swedish Excel saves "CSV (semikolonavgränsad)".

    python3 data-samples/make-excel.py data-samples/ama.csv data-samples/ama-excel.csv
    python3 data-samples/make-excel.py --check data-samples/ama.csv data-samples/ama-excel.csv

From a canonical utfall extract (comma, UTF-8, LF) to: a `sep=;` first line,
`;` between fields, decimal comma, Windows-1252, CRLF, and the Swedish
headers and values a case system shows (Löpnr, Kön = Man/Kvinna,
Avslutsorsak = Arbetssökande, …).  utfall reads both to the same figures.
--check compares with an existing file instead of writing (exit 1 if it
differs).  Python 3 standard library only.
"""
import csv
import io
import sys

HEADERS = {
    "id": "Löpnr", "kon": "Kön", "fodelsear": "Födelseår", "enhet": "Enhet",
    "insats": "Insats", "inskriven": "Inskriven", "avslutad": "Avslutad",
    "avslutsorsak": "Avslutsorsak", "timmar_fore": "Timmar före",
    "timmar_efter": "Timmar efter", "forsorjning_fore": "Försörjning före",
    "forsorjning_efter": "Försörjning efter", "uppfoljd_till": "Uppföljd till",
}
KON = {"k": "Kvinna", "m": "Man"}
OUTCOMES = {
    "arbete": "Arbete", "arbete_med_stod": "Arbete med stöd", "studier": "Studier",
    "arbetssokande": "Arbetssökande", "praktik": "Praktik", "annan_insats": "Annan insats",
    "vard": "Vård", "foraldraledighet": "Föräldraledighet", "flytt": "Flytt",
    "ej_kontaktbar": "Ej kontaktbar", "avbrott": "Avbrott", "annat": "Annat",
}
INCOMES = {
    "aktivitetsersattning": "Aktivitetsersättning", "sjukersattning": "Sjukersättning",
    "sjukpenning": "Sjukpenning", "forsorjningsstod": "Försörjningsstöd", "a_kassa": "A-kassa",
    "aktivitetsstod": "Aktivitetsstöd", "lon": "Lön", "studiemedel": "Studiemedel",
    "ingen": "Ingen", "annan": "Annan",
}


def convert(text):
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    out = io.StringIO(newline="")
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    out.write("sep=;\r\n")
    w.writerow([HEADERS.get(h, h) for h in header])
    for row in rows[1:]:
        cells = []
        for h, v in zip(header, row):
            if h == "kon":
                v = KON.get(v, v)
            elif h == "avslutsorsak":
                v = OUTCOMES.get(v, v)
            elif h.startswith("forsorjning"):
                v = INCOMES.get(v, v)
            elif h.startswith("timmar"):
                v = v.replace(".", ",")
            cells.append(v)
        w.writerow(cells)
    return out.getvalue().encode("cp1252")


def main(argv):
    check = argv[:1] == ["--check"]
    if check:
        argv = argv[1:]
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[0], encoding="utf-8", newline="") as f:
        data = convert(f.read())
    if check:
        with open(argv[1], "rb") as f:
            if f.read() != data:
                sys.stderr.write(f"make-excel: {argv[1]} is not what {argv[0]} gives\n")
                return 1
        return 0
    with open(argv[1], "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
