#!/usr/bin/env python3
"""The library's layering, checked on the sources (meson test suite 'layers').

1. Only lib/render/ includes cairo, Pango, libpng, libxlsxwriter, libzip or
   libxml2: the analysis commands must start without mapping them
   (lib/render/render.h).
2. lib/ never writes to stdout or stderr, never exits or aborts: errors are
   values (include/utfall/error.h).
3. cmd/ uses the public headers only (include/utfall/), never lib/'s
   internal ones.
4. include/utfall/utfall.h includes every public header, and every public
   header is installed (include/utfall/meson.build).
5. Error codes come from the registry (include/utfall/error_codes.h): no
   string literal is passed as the code of utfall_error_set/vset.
6. Pipelines read as stages: no function in lib/ is over 150 lines, and at
   most five are over 100 (a function's body opens with "{" alone on a
   line and closes with "}" alone on a line, as every function here does).
Usage: check_layers.py SOURCE_ROOT
"""
import os
import re
import sys

root = sys.argv[1]
problems = []


def sources(top, exts=(".c", ".h")):
    for d, _, files in os.walk(os.path.join(root, top)):
        for f in sorted(files):
            if f.endswith(exts):
                yield os.path.join(d, f)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


render_libs = re.compile(r'#\s*include\s*[<"](cairo|pango|xlsxwriter|png\.h|zip\.h|libxml/)')
for path in sources("lib"):
    rel = os.path.relpath(path, root)
    text = strip_comments(open(path, encoding="utf-8").read())
    for n, line in enumerate(text.split("\n"), 1):
        if render_libs.search(line) and not rel.startswith("lib/render/"):
            problems.append(f"{rel}:{n}: includes a drawing library outside lib/render/")
        if re.search(r"\b(stdout|stderr)\b|\b(exit|abort|_exit)\s*\(|\bprintf\s*\(|\bputs\s*\(", line):
            problems.append(f"{rel}:{n}: prints or exits: {line.strip()}")
        m = re.search(r"utfall_error_v?set\s*\([^,]*,[^,]*,\s*\"", line)
        if m:
            problems.append(f"{rel}:{n}: error code given as a string literal, not from "
                            "lib/core/error_codes.def")

for path in sources("cmd"):
    rel = os.path.relpath(path, root)
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if re.search(r'#\s*include\s*"(core|ingest|stats|analysis|output|render)/', line):
            problems.append(f"{rel}:{n}: includes a library-internal header")

inc = os.path.join(root, "include", "utfall")
public = sorted(f for f in os.listdir(inc) if f.endswith(".h") and f != "utfall.h")
umbrella = open(os.path.join(inc, "utfall.h"), encoding="utf-8").read()
installed = open(os.path.join(inc, "meson.build"), encoding="utf-8").read()
for h in public:
    if f'#include "utfall/{h}"' not in umbrella:
        problems.append(f"include/utfall/utfall.h does not include {h}")
    if f"'{h}'" not in installed:
        problems.append(f"include/utfall/meson.build does not install {h}")

def functions(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        if lines[i] == "{" and i > 0:
            start = i - 1  # the signature may span lines: back to its first
            while start > 0 and lines[start - 1].strip() and not lines[start - 1].rstrip().endswith(
                    (";", "}", "*/")) and not lines[start - 1].startswith("#"):
                start -= 1
            end = i + 1
            while end < len(lines) and lines[end] != "}":
                end += 1
            name = re.search(r"(\w+)\s*\(", " ".join(lines[start:i]))
            yield (name.group(1) if name else "?"), start + 1, end - start + 1
            i = end
        i += 1


long_ones = []
for path in sources("lib", (".c",)):
    rel = os.path.relpath(path, root)
    for name, line, n in functions(path):
        if n > 150:
            problems.append(f"{rel}:{line}: {name} is {n} lines (at most 150)")
        elif n > 100:
            long_ones.append(f"{rel}:{line}: {name} ({n} lines)")
if len(long_ones) > 5:
    problems.append("more than five functions over 100 lines: " + "; ".join(long_ones))

for p in problems:
    print(p)
print(f"layers: {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
