#!/usr/bin/env python3
"""Writes the parser fixtures in this folder: one small synthetic extract in
every dialect utfall must read.  All of them hold the same six episodes, so
every fixture must give the same figures.  Re-run after changing BASE."""
import os

HEADER = ["id", "kön", "födelseår", "enhet", "inskriven", "avslutad", "avslutsorsak",
          "timmar_före", "timmar_efter"]
BASE = [
    ["T-01", "k", "1990", "Malmö", "2013-01-10", "2013-11-01", "arbete", "5", "10.5"],
    ["T-02", "m", "1992", "Blekinge", "2013-02-10", "", "", "", ""],
    ["T-03", "kvinna", "1991", "Malmö", "2013-03-01", "2014-01-01", "studier", "3", "3"],
    ["T-04", "man", "1988", "Karlskrona, Blekinge", "2013-05-20", "2013-12-31", "arbetssökande", "0", "12.5"],
    ["T-05", "", "1995", "Malmö", "2014-01-15", "2014-06-30", "vård", "8", "4"],
    ["T-06", "M", "1990", "Blekinge", "2014-02-01", "", "", "10", "20"],
]
os.chdir(os.path.dirname(os.path.abspath(__file__)))


def quote(v, d):
    if any(c in v for c in (d, '"', "\n")):
        return '"' + v.replace('"', '""') + '"'
    return v


def text(d, rows=BASE, decimal=".", nl="\n", final=True):
    lines = [d.join(quote(h, d) for h in HEADER)]
    for r in rows:
        r = [v.replace(".", decimal) if i >= 7 else v for i, v in enumerate(r)]
        lines.append(d.join(quote(v, d) for v in r))
    return nl.join(lines) + (nl if final else "")


def write(name, data, enc="utf-8"):
    with open(name, "wb") as f:
        f.write(data.encode(enc) if isinstance(data, str) else data)


write("comma.csv", text(","))
write("semicolon.csv", text(";"))
write("tab.tsv", text("\t"))
write("pipe.csv", text("|"))
write("bom.csv", b"\xef\xbb\xbf" + text(";").encode())
write("crlf.csv", text(",", nl="\r\n"))
write("sep-line.csv", "sep=|\n" + text("|"))
write("no-final-newline.csv", text(",", final=False))
write("decimal-comma.csv", text(";", decimal=","))
write("cp1252.csv", text(";", decimal=",", nl="\r\n"), "cp1252")
write("utf16.csv", text(";"), "utf-16")
# quoted fields: a delimiter, doubled quotes and a newline inside a field
q = [r[:] for r in BASE]
q[0][3] = 'Malmö'
rows = text(",", q)
rows = rows.replace("Karlskrona, Blekinge", "Karlskrona, Blekinge")
extra_col = HEADER + ["kommentar"]
lines = [",".join(extra_col)]
comments = ['"sa ""hej"", gick"', '"två\nrader"', "", "ok", '"a,b"', ""]
for r, c in zip(BASE, comments):
    lines.append(",".join(quote(v, ",") for v in r) + "," + c)
write("quoted.csv", "\n".join(lines) + "\n")
