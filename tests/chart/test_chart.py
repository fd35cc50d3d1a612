#!/usr/bin/env python3
"""Chart tests: every kind rendered to SVG and checked structurally (bars,
labels, no overlapping category labels), PDF fonts embedded and dates fixed,
PNG/SVG/PDF byte-identical across runs, --size/--dpi, --lang, and --chart on
every analysis command.  No pixel-exact golden images: fonts differ between
machines, structure and determinism do not.

Usage: test_chart.py BUILD_DIR SOURCE_DIR
"""
import os
import re
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
BUILD, SOURCE = sys.argv[1], sys.argv[2]
EXE = os.path.join(BUILD, "cmd", "utfall")
TMP = tempfile.mkdtemp(prefix="utfall-chart-")
ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "sv_SE.UTF-8",
       "SOURCE_DATE_EPOCH": "1767225600"}
for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
    if k in os.environ:
        ENV[k] = os.environ[k]
supp = "suppressions=" + os.path.join(SOURCE, "tests", "lsan.supp") + ":print_suppressions=0"
ENV["LSAN_OPTIONS"] = ENV["LSAN_OPTIONS"] + ":" + supp if "LSAN_OPTIONS" in ENV else supp
failures = []


def run(*args, code=0):
    p = subprocess.run([EXE, *args], cwd=SOURCE, env=ENV, capture_output=True, timeout=300)
    if p.returncode != code:
        failures.append(f"{' '.join(args)}: exit {p.returncode}, expected {code}\n"
                        f"{p.stderr.decode(errors='replace')}")
    return p


def check(cond, what):
    if not cond:
        failures.append(what)


def svg(name, *args):
    path = os.path.join(TMP, name + ".svg")
    run("chart", *args, "-o", path)
    if not os.path.exists(path):
        failures.append(f"{name}: no SVG written")
        return None
    return ET.parse(path).getroot()


def by_class(root, tag, cls):
    return [e for e in root.iter(NS + tag) if e.get("class") == cls]


def texts(root, cls=None):
    return [(e.text or "").replace("\u00a0", " ").replace("\u202f", " ")
            for e in root.iter(NS + "text") if cls is None or e.get("class") == cls]


def joined(root, cls):
    return " ".join(t.strip() for t in texts(root, cls))


def no_overlap(root, name):
    """Category labels of different rows must not overlap: lines of text
    closer than a line apart must come from the same wrapped label."""
    ys = sorted(float(e.get("y")) for e in by_class(root, "text", "category"))
    xs = {}
    for e in by_class(root, "text", "category"):
        xs.setdefault(round(float(e.get("y")), 1), []).append(float(e.get("x")))
    for a, b in zip(ys, ys[1:]):
        if 0 < b - a < 7.5:
            failures.append(f"{name}: category label lines {a} and {b} overlap")
    for y, x in xs.items():
        if len(x) > 1 and min(abs(p - q) for i, p in enumerate(x) for q in x[i + 1:]) < 20:
            failures.append(f"{name}: category labels side by side at y={y}")


def f(e, k):
    return float(e.get(k))


# --- bar: goal per unit with whiskers, target, group sizes, total ----------
r = svg("bar", "tests/chart/goal.tsv", "-y", "share", "--lo", "ci_low", "--hi", "ci_high",
        "-n", "n", "--percent", "--target", "35%", "--title", "Måluppfyllelse",
        "--subtitle", "Andel av avslutade", "--note", "Källa: syntetiskt uttag.")
if r is not None:
    bars = by_class(r, "rect", "bar")
    check(len(bars) == 3, f"bar: {len(bars)} bars, expected 3")
    cats = joined(r, "category")
    # the long name does not fit under a vertical bar: horizontal bars
    check("Arbetsmarknadsutbildning med stöd" in cats.replace("  ", " ")
          or "Arbetsmarknadsutbildning med" in cats, "bar: long category label missing")
    check("(n = 108)" in cats and "Blekinge (n = 102)" in cats, "bar: group sizes missing: " + cats)
    check("Totalt (n = 210)" in cats, "bar: total row label missing: " + cats)
    # three bars leave room: the long name wraps under its bar
    check(len({round(f(b, 'width'), 2) for b in bars}) == 1, "bar: not vertical")
    check(len(by_class(r, "text", "category")) >= 7, "bar: long label did not wrap")
    vals = joined(r, "value")
    check("41,7 %" in vals and "39,5 %" in vals, "bar: Swedish value labels missing: " + vals)
    check(len(by_class(r, "line", "target")) == 1, "bar: no target line")
    check("Mål 35 %" in joined(r, "target-label"), "bar: target label missing")
    check(len(by_class(r, "line", "whisker")) == 9, "bar: expected 3 whiskers of 3 strokes")
    check(joined(r, "title") == "Måluppfyllelse", "bar: title")
    check(joined(r, "subtitle") == "Andel av avslutade", "bar: subtitle")
    check("Källa: syntetiskt uttag." in joined(r, "note"), "bar: note")
    check("0 %" in texts(r, "tick") and "100 %" in texts(r, "tick"), "bar: 0–100 % axis")
    no_overlap(r, "bar")

# six bars: the long name no longer fits under its bar: horizontal bars
r = svg("bar-many", "tests/chart/goal-many.tsv", "-y", "share", "-n", "n", "-p")
if r is not None:
    bars = by_class(r, "rect", "bar")
    check(len(bars) == 6, f"bar-many: {len(bars)} bars")
    check(len({round(f(b, 'height'), 2) for b in bars}) == 1, "bar-many: long labels did not "
          "turn the bars horizontal (bar heights differ)")
    check("Arbetsmarknadsutbildning med stöd (n = 108)" in joined(r, "category"),
          "bar-many: long label")
    no_overlap(r, "bar-many")
# and at a small size the labels shorten rather than overlap
r = svg("bar-small", "tests/chart/goal-many.tsv", "-y", "share", "-n", "n", "-p",
        "--size", "90x45")
if r is not None:
    no_overlap(r, "bar-small")
r = svg("bar-short", "tests/chart/split.tsv", "-x", "avslutsorsak", "-y", "count",
        "--no-total", "-g", "kon")
if r is not None:
    bars = by_class(r, "rect", "bar")
    check(len(bars) > 0, "bar-short: no bars")

# --- hbar -----------------------------------------------------------------
r = svg("hbar", "-t", "hbar", "tests/chart/goal.tsv", "-y", "share", "-n", "n", "-p")
if r is not None:
    bars = by_class(r, "rect", "bar")
    check(len(bars) == 3, f"hbar: {len(bars)} bars")
    check(len({round(f(b, 'height'), 2) for b in bars}) == 1, "hbar: heights differ")
    no_overlap(r, "hbar")

# --- grouped ----------------------------------------------------------------
r = svg("grouped", "tests/chart/goal-by-enhet-kon.tsv", "-t", "grouped", "-x", "enhet",
        "-g", "kon", "-y", "share", "--lo", "ci_low", "--hi", "ci_high", "-p", "--no-total",
        "--target", "0.35")
if r is not None:
    bars = by_class(r, "rect", "bar")
    check(len(bars) == 6, f"grouped: {len(bars)} bars, expected 3 units × 2")
    leg = joined(r, "legend")
    check("Kvinnor" in leg and "Män" in leg, "grouped: legend: " + leg)
    check(len(by_class(r, "rect", "legend-key")) == 2, "grouped: legend keys")
    no_overlap(r, "grouped")

# --- stacked: bars of one category fill the whole axis ------------------------
r = svg("stacked", "tests/chart/split.tsv", "-t", "stacked", "-x", "kon",
        "-g", "avslutsorsak", "-y", "share", "-n", "n")
if r is not None:
    bars = by_class(r, "rect", "bar")
    rows = {}
    for b in bars:
        rows.setdefault(b.get("data-label"), []).append(b)
    check(len(rows) == 3, f"stacked: {len(rows)} stacks, expected Kvinnor, Män, Totalt")
    widths = {k: sum(f(b, "width") for b in v) for k, v in rows.items()}
    check(max(widths.values()) - min(widths.values()) < 1, f"stacked: not 100 %: {widths}")
    check("Arbete" in joined(r, "legend"), "stacked: outcome labels not localized")
    no_overlap(r, "stacked")

# --- diverging from a wide table ------------------------------------------------
r = svg("diverging", "tests/chart/hours.tsv", "-t", "diverging",
        "-y", "decreased,unchanged,increased", "-n", "n", "-p")
if r is not None:
    bars = by_class(r, "rect", "bar")
    check(len(bars) == 12, f"diverging: {len(bars)} segments, expected 4 × 3")
    leg = joined(r, "legend")
    check(all(w in leg for w in ("Minskat", "Oförändrat", "Ökat")), "diverging: legend " + leg)
    axis = [e for e in by_class(r, "line", "axis")]
    check(len(axis) == 1, "diverging: no zero line")
    if axis:
        zero = f(axis[0], "x1")
        # decreased (first series) left of zero, increased right of it
        for b in bars:
            if b.get("fill") == "#D55E00":
                check(f(b, "x") + f(b, "width") <= zero + 0.01, "diverging: decreased not left")
            if b.get("fill") == "#0072B2":
                check(f(b, "x") >= zero - 0.01, "diverging: increased not right")
    no_overlap(r, "diverging")

# --- line with bands and a marker ---------------------------------------------------
r = svg("line", "tests/chart/curve.tsv", "-t", "line", "-x", "month", "-g", "insats",
        "-y", "share", "--lo", "ci_low", "--hi", "ci_high", "-p", "--marker", "4",
        "--marker-label", "4 mån")
if r is not None:
    check(len(by_class(r, "polyline", "line")) == 3, "line: expected 3 lines (CM, FS, SE)")
    check(len(by_class(r, "polygon", "band")) == 3, "line: expected 3 interval bands")
    check(len(by_class(r, "line", "marker")) == 1, "line: no marker")
    check("4 mån" in joined(r, "marker-label"), "line: marker label")
    check(joined(r, "legend").split() == ["CM", "FS", "SE"], "line: legend")

# --- histogram of raw values -------------------------------------------------------
r = svg("histogram", "tests/chart/values.tsv", "-t", "histogram", "-x", "change")
if r is not None:
    bars = by_class(r, "rect", "bar")
    counts = [int(t) for t in texts(r, "value")]
    check(len(bars) >= 5, f"histogram: {len(bars)} bins")
    check(sum(counts) == 120, f"histogram: counts add up to {sum(counts)}, expected 120")

# --- values as a spreadsheet writes them, "39,5 %" ---------------------------------
r = svg("percent-signs", "tests/chart/percent-signs.tsv", "-y", "andel", "-p")
if r is not None:
    check(texts(r, "value") == ["39,5 %", "12,0 %"], "percent signs: " + str(texts(r, "value")))

# --- English ---------------------------------------------------------------------
r = svg("english", "tests/chart/goal.tsv", "-y", "share", "-n", "n", "-p", "--target", "35%",
        "--lang", "en")
if r is not None:
    check("41.7%" in joined(r, "value"), "english: 41.7%")
    check("Target 35%" in joined(r, "target-label"), "english: target label")
    check("Total (n = 210)" in joined(r, "category"), "english: total label")

# --- size, dpi, determinism, PDF ---------------------------------------------------
args = ["chart", "tests/chart/goal.tsv", "-y", "share", "-n", "n", "-p"]
run(*args, "--size", "100x60", "-o", os.path.join(TMP, "small.svg"))
root = ET.parse(os.path.join(TMP, "small.svg")).getroot()
check(root.get("width") == "100.00mm" and root.get("height") == "60.00mm", "--size on SVG")
for ext in ("png", "svg", "pdf"):
    a, b = os.path.join(TMP, "a." + ext), os.path.join(TMP, "b." + ext)
    run(*args, "-o", a)
    run(*args, "-o", b)
    check(open(a, "rb").read() == open(b, "rb").read(), f"{ext}: two runs differ")


def png_size(path):
    with open(path, "rb") as fp:
        head = fp.read(24)
    check(head[:8] == b"\x89PNG\r\n\x1a\n", path + " is not a PNG")
    return struct.unpack(">II", head[16:24])


w150, h150 = png_size(os.path.join(TMP, "a.png"))
run(*args, "--dpi", "300", "-o", os.path.join(TMP, "hi.png"))
w300, h300 = png_size(os.path.join(TMP, "hi.png"))
check(w150 == 945 and w300 == 1890, f"--dpi: widths {w150} and {w300}, expected 945, 1890")
run(*args, "--size", "800x500", "-o", os.path.join(TMP, "px.png"))
check(png_size(os.path.join(TMP, "px.png")) == (800, 500), "--size on PNG is pixels")

pdf = os.path.join(TMP, "a.pdf")
fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True).stdout.splitlines()[2:]
check(fonts and all(l.split()[-5] == "yes" for l in fonts), "pdf: fonts not embedded:\n"
      + "\n".join(fonts))
info = subprocess.run(["pdfinfo", "-isodates", pdf], capture_output=True, text=True).stdout
check(re.search(r"CreationDate:\s+2026-01-01T00:00:00", info) is not None,
      "pdf: CreationDate is not SOURCE_DATE_EPOCH:\n" + info)
check(re.search(r"ModDate:\s+2026-01-01T00:00:00", info) is not None, "pdf: ModDate")

# --- errors -------------------------------------------------------------------------
p = run("chart", "tests/chart/not-number.tsv", "-y", "share", "-o", os.path.join(TMP, "e.svg"),
        code=1)
# the runs are Swedish (LANG=sv_SE.UTF-8): so are the messages
check("tests/chart/not-number.tsv:3: kolumnen 'share': 'abc' är inget tal".encode() in p.stderr,
      "error: non-numeric value without file and line")
check(not os.path.exists(os.path.join(TMP, "e.svg")), "error: a file was left behind")
p = run("chart", "tests/chart/goal.tsv", "-y", "andel", "-o", os.path.join(TMP, "e.svg"), code=1)
check(b"tests/chart/goal.tsv:1: ingen kolumn 'andel'" in p.stderr, "error: missing column")
p = run("chart", "tests/chart/empty.tsv", "-y", "x", "-o", os.path.join(TMP, "e.svg"), code=1)
check("tom".encode() in p.stderr, "error: empty input")
p = run("chart", "tests/chart/goal.tsv", "-y", "share", "-o", os.path.join(TMP, "e.gif"), code=2)
check("okänt format för figuren".encode() in p.stderr, "error: unknown extension")
run("chart", "tests/chart/goal.tsv", "-y", "share", "--size", "big", "-o",
    os.path.join(TMP, "e.svg"), code=2)
run("chart", "tests/chart/goal.tsv", "-y", "share", "--dpi", "0", "-o",
    os.path.join(TMP, "e.png"), code=2)
run("chart", "tests/chart/goal.tsv", "-t", "pie", "-y", "share", "-o",
    os.path.join(TMP, "e.svg"), code=2)
run("goal", "tests/data/comma.csv", "--chart", os.path.join(TMP, "e.jpg"), code=2)

# --- --chart on every analysis command ------------------------------------------------
commands = {
    "summary": ["summary", "tests/data/comma.csv"],
    "goal": ["goal", "tests/data/comma.csv", "--by", "enhet", "--target", "35%"],
    "split": ["split", "tests/data/comma.csv", "--by", "kon"],
    "hours": ["hours", "tests/data/comma.csv", "--by", "kon"],
    "horizon": ["horizon", "tests/data/horizon.csv", "--spells", "tests/data/horizon-spells.csv",
                "--months", "4"],
}
for name, cmd in commands.items():
    for ext in ("svg", "png", "pdf"):
        out = os.path.join(TMP, f"cmd-{name}.{ext}")
        p = run(*cmd, "-f", "tsv", "--chart", out)
        check(os.path.exists(out) and os.path.getsize(out) > 500, f"--chart on {name}: no {ext}")
        check(p.stdout.count(b"\n") >= 2, f"--chart on {name}: the table is still written")
    root = ET.parse(os.path.join(TMP, f"cmd-{name}.svg")).getroot()
    check(len(by_class(root, "rect", "bar")) + len(by_class(root, "polyline", "line")) > 0,
          f"--chart on {name}: nothing drawn")
root = ET.parse(os.path.join(TMP, "cmd-summary.svg")).getroot()
check(len(by_class(root, "text", "panel-title")) == 3, "summary chart: kön, ålder, enhet panels")
root = ET.parse(os.path.join(TMP, "cmd-hours.svg")).getroot()
check([e.get("data-kind") for e in by_class(root, "g", "panel")] == ["4", "6"],
      "hours chart: diverging and histogram panels")
root = ET.parse(os.path.join(TMP, "cmd-goal.svg")).getroot()
check(len(by_class(root, "line", "target")) == 1, "goal chart: target line")
# grouped by two columns: one bar per combination, named by both
out = os.path.join(TMP, "goal-two.svg")
run("goal", "tests/data/comma.csv", "--by", "enhet,kon", "-f", "tsv", "--chart", out)
root = ET.parse(out).getroot()
labels = {b.get("data-label") for b in by_class(root, "rect", "bar")}
check(any(l.startswith("Malmö, Kvinnor") for l in labels), f"goal --by enhet,kon: {labels}")

if failures:
    print("\n".join(failures))
    print(f"{len(failures)} chart check(s) failed; files in {TMP}")
    sys.exit(1)
print("chart checks passed")
