#!/usr/bin/env python3
"""The message catalogue (lib/core/messages.def) against the sources.

    check_catalogue.py SOURCE_ROOT [--missing]

Checked:
  - every MSG and TEXT entry has an English and a Swedish text, and the
    Swedish takes the same printf conversions in the same order (a
    translation that does not would print garbage or crash);
  - no key, and no English of a TEXT entry, is given twice;
  - every message format the programs and the library can show a person
    (the format argument of utfall_error_set, of every wrapper declared
    with UTFALL_PRINTF whose format reaches utfall_error_vset, of
    cli_usage_error and cli_say) has a TEXT entry, so a Swedish run says it
    in Swedish; the sources in EXEMPT are the library's internals whose
    messages report a programming error, not a user's.
--missing prints the formats without an entry, one per line.
"""
import os
import re
import sys

root = sys.argv[1]
problems = []

# file -> reason: messages no user action can cause (a library function
# called wrongly, a numerical routine that failed); they stay English
EXEMPT = {
    "lib/stats/stats.c": "statistics: arguments checked by the callers",
    "lib/stats/logistic.c": "logistic regression internals",
    "lib/stats/survival.c": "survival internals",
    "lib/stats/competing.c": "competing-risks internals",
    "lib/stats/cox.c": "Cox regression internals",
    "lib/stats/fit_shared.c": "the fits' shared argument checks",
    "lib/render/chart_draw.c": "cairo failures",
    "lib/render/report_pdf.c": "cairo failures",
    "lib/render/render_lazy.c": "the render module",
    "lib/render/xlsx.c": "libxlsxwriter failures",
    "lib/render/docx.c": "libxml2 failures",
    "lib/render/docx_package.c": "libzip failures",
    "lib/output/protect.c": "disclosure-control definitions (a programming error)",
    "lib/analysis/forsorjning.c": "an income source out of range (a programming error)",
    "lib/ingest/synth.c": "the synthetic-data generator's constructions",
}

# wrapper name -> 1-based index of the format argument
WRAPPERS = {"utfall_error_set": 4, "cli_usage_error": 2, "cli_say": 2}

LIT = r'"(?:[^"\\]|\\.)*"'


def c_string(lits):
    """The text of adjacent C string literals."""
    out = ""
    for lit in re.findall(LIT, lits):
        out += bytes(lit[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
    return out


def conversions(fmt):
    return re.findall(r"%[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t)?[diouxXeEfgGcspn%]", fmt)


def catalogue():
    text = open(os.path.join(root, "lib/core/messages.def"), encoding="utf-8").read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    entries = []
    for m in re.finditer(r"\b(MSG|TEXT)\(\s*(\"(?:[^\"\\]|\\.)*\"|\w+)\s*,((?:\s*" + LIT +
                         r")+)\s*,((?:\s*" + LIT + r")+)\s*\)", text):
        entries.append((m.group(1), m.group(2), c_string(m.group(3)), c_string(m.group(4))))
    n_calls = len(re.findall(r"\b(?:MSG|TEXT)\(", text))
    if n_calls != len(entries):
        problems.append(f"messages.def: {n_calls} entries, {len(entries)} understood "
                        "(a malformed entry?)")
    return entries


def split_args(s, start):
    """The arguments of the call whose '(' is at start, as source text."""
    depth, args, cur, i = 0, [], "", start + 1
    while i < len(s):
        ch = s[i]
        if ch == '"':
            m = re.match(LIT, s[i:])
            cur += m.group(0)
            i += len(m.group(0))
            continue
        if ch == "'":
            m = re.match(r"'(?:[^'\\]|\\.)*'", s[i:])
            cur += m.group(0)
            i += len(m.group(0))
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                args.append(cur)
                return args
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(cur)
            cur = ""
            i += 1
            continue
        cur += ch
        i += 1
    return args


def declared(path):
    """Functions declared UTFALL_PRINTF(n, m) in path: name -> n."""
    src = open(path, encoding="utf-8").read()
    found = {}
    for m in re.finditer(r"(\w+)\s*\(([^;{()]*(?:\([^()]*\)[^;{()]*)*)\)\s*UTFALL_PRINTF\((\d+),\s*\d+\)", src):
        found[m.group(1)] = int(m.group(3))
    for m in re.finditer(r"UTFALL_PRINTF\((\d+),\s*\d+\)\s*(\w+)\s*\(", src):
        found[m.group(2)] = int(m.group(1))
    for name in ("para", "set_text", "bprintf", "report_para", "report_set_text"):  # report text, not messages
        found.pop(name, None)
    return found


def wrappers(files):
    """Per source file: the functions whose format argument is a message
    (those of the headers, and the file's own), name -> argument index."""
    headers = dict(WRAPPERS)
    for top in ("lib", "cmd"):
        for d, _, fs in os.walk(os.path.join(root, top)):
            for f in fs:
                if f.endswith(".h"):
                    headers.update(declared(os.path.join(d, f)))
    return {path: {**headers, **declared(path)} for path in files}


def ternary_parts(arg):
    """cond ? "a" : "b" -> the parts around ? and : outside string literals."""
    parts, cur, i = [], "", 0
    while i < len(arg):
        m = re.match(LIT, arg[i:])
        if m:
            cur += m.group(0)
            i += len(m.group(0))
            continue
        if arg[i] in "?:":
            parts.append(cur)
            cur = ""
        else:
            cur += arg[i]
        i += 1
    return parts + [cur]


def formats(files, wrap):
    out = []
    for path in files:
        rel = os.path.relpath(path, root)
        w = wrap[path]
        call = re.compile(r"\b(" + "|".join(map(re.escape, w)) + r")\s*\(")
        src = open(path, encoding="utf-8").read()
        src = re.sub(r"/\*.*?\*/", lambda m: " " * len(m.group(0)), src, flags=re.S)
        for m in call.finditer(src):
            head = src[src.rfind("\n", 0, m.start()) + 1:m.start()]
            if "=" not in head and "return" not in head and re.match(
                    r"\s*(static\b|utfall_status\b|void\b|int\b|const char)", head):
                continue  # the definition or a declaration
            args = split_args(src, m.end() - 1)
            k = w[m.group(1)] - 1
            if k >= len(args):
                continue
            arg = args[k]
            line = src.count("\n", 0, m.start()) + 1
            for part in ternary_parts(arg):
                if re.search(LIT, part):
                    out.append((rel, line, c_string(part)))
    return out


def main():
    entries = catalogue()
    seen_keys, texts = set(), {}
    for kind, key, en, sv in entries:
        ident = (kind, key if kind == "MSG" else en)
        if ident in seen_keys:
            problems.append(f"messages.def: {kind} {key if kind == 'MSG' else repr(en)} twice")
        seen_keys.add(ident)
        if not en or not sv:
            problems.append(f"messages.def: {key}: an empty text")
        if conversions(en) != conversions(sv):
            problems.append(f"messages.def: {key}: the Swedish takes {conversions(sv)}, "
                            f"the English {conversions(en)}: {en!r}")
        if kind == "TEXT":
            texts[en] = sv
    files = []
    for top in ("lib", "cmd"):
        for d, _, fs in os.walk(os.path.join(root, top)):
            files += [os.path.join(d, f) for f in sorted(fs) if f.endswith(".c")]
    wrap = wrappers(files)
    missing = []
    for rel, line, fmt in formats(files, wrap):
        if rel in EXEMPT or fmt in texts or not re.search(r"[A-Za-z]", re.sub(r"%\w", "", fmt)):
            continue  # exempt, translated, or only passes a text on
        missing.append((rel, line, fmt))
    if "--missing" in sys.argv:
        for rel, line, fmt in missing:
            print(f"{rel}:{line}: {fmt!r}")
        return 0
    for rel, line, fmt in missing:
        problems.append(f"{rel}:{line}: no Swedish in messages.def for {fmt!r}")
    for p in problems:
        print("FAIL:", p)
    print(f"{len(entries)} catalogue entries, {len(texts)} messages; "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
