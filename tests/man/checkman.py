#!/usr/bin/env python3
"""Keep the man pages honest: one run checks one page.

    checkman.py BUILD_ROOT SOURCE_ROOT NAME

NAME is a folder of cmd/ (the program build/cmd/utfall-NAME, the
page man/utfall-NAME.1), "utfall" (the dispatcher, man/utfall.1) or
"extract", "goals" or "ekonomi" (man/utfall-extract.5, man/utfall-goals.5,
man/utfall-ekonomi.5, no program).  Checked:

  - the page exists and is installed by man/meson.build;
  - every long option the program's --help prints appears in the page, and
    its Swedish --help (--lang sv) names the same options;
  - the page has the sections a page of its kind needs;
  - it renders without a single warning (groff -ww, and man --warnings);
  - utfall(1) lists every command and documents every exit status that
    include/utfall/error.h defines.

Programs whose page is written elsewhere may land before their page:
those listed in EXPECTED_WHEN_PRESENT are skipped (exit 77) until the page
exists, and checked like any other from then on.
"""
import os
import re
import shutil
import subprocess
import sys

EXPECTED_WHEN_PRESENT = {"synth"}
SKIP = 77

failures = []


def fail(msg):
    failures.append(msg)


def page_text(path):
    """The page source with roff escapes reduced to plain text."""
    with open(path, encoding="utf-8") as f:
        src = f.read()
    text = src.replace("\\-", "-").replace("\\e", "\\")
    text = re.sub(r"\\f[BIRP]|\\f\[[A-Z]*\]|\\&|\\ |\\\(em|\\\(en", " ", text)
    return src, text


def long_options(help_text):
    return sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", help_text)))


def sections(src):
    return [s.strip().strip('"') for s in re.findall(r"^\.SH\s+(.*)$", src, re.M)]


def render(path):
    """Render with every warning on; return the warnings (empty = clean)."""
    out = []
    env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8", MANWIDTH="80")
    ran = False
    if shutil.which("groff"):
        ran = True
        r = subprocess.run(["groff", "-k", "-man", "-ww", "-z", "-Tutf8", path],
                           capture_output=True, text=True, env=env)
        if r.returncode != 0 or r.stderr.strip():
            out.append("groff -ww: " + (r.stderr.strip() or f"exit {r.returncode}"))
    if shutil.which("man"):
        ran = True
        r = subprocess.run(["man", "--warnings", "-l", path], capture_output=True, text=True,
                           env=env)
        if r.returncode != 0 or r.stderr.strip():
            out.append("man --warnings: " + (r.stderr.strip() or f"exit {r.returncode}"))
    if not ran:
        return None
    return out


def main():
    build, source, name = sys.argv[1], sys.argv[2], sys.argv[3]
    if name in ("extract", "goals", "ekonomi"):
        page, exe, kind = f"utfall-{name}.5", None, 5
    elif name == "utfall":
        page, exe, kind = "utfall.1", os.path.join(build, "cmd", "utfall"), 1
    else:
        page = f"utfall-{name}.1"
        exe = os.path.join(build, "cmd", f"utfall-{name}")
        kind = 1
    path = os.path.join(source, "man", page)

    if not os.path.exists(path):
        if name in EXPECTED_WHEN_PRESENT:
            print(f"{page}: not written yet (expected from its own author); skipped")
            return SKIP
        print(f"FAIL: man/{page} is missing: every program in cmd/ needs its page")
        return 1

    src, text = page_text(path)

    # installed
    with open(os.path.join(source, "man", "meson.build"), encoding="utf-8") as f:
        install = f.read()
    if f"'{page}'" not in install:
        fail(f"man/meson.build does not install {page}")

    # title line matches the file
    m = re.search(r"^\.TH\s+(\S+)\s+(\S+)", src, re.M)
    if not m or m.group(1).lower() != page.rsplit(".", 1)[0] or m.group(2) != str(kind):
        fail(f".TH should name {page.rsplit('.', 1)[0].upper()} {kind}")

    need = ["NAME", "SYNOPSIS" if kind == 1 else "DESCRIPTION", "DESCRIPTION", "SEE ALSO"]
    if kind == 1:
        need += ["OPTIONS", "EXIT STATUS", "EXAMPLES"]
        if name not in ("utfall", "pseudonymize"):
            need += ["OUTPUT", "METHODS"] if name in ("goal", "split", "hours", "horizon") \
                else ["OUTPUT"]
    have = sections(src)
    for s in need:
        if s not in have:
            fail(f"{page}: no section {s}")

    # every long option of --help is documented
    if exe:
        if not os.access(exe, os.X_OK):
            fail(f"{exe} is not built")
        else:
            r = subprocess.run([exe, "--help"], capture_output=True, text=True,
                               env=dict(os.environ, LC_ALL="C.UTF-8"))
            if r.returncode != 0:
                fail(f"{exe} --help exited {r.returncode}")
            opts = long_options(r.stdout)
            if not opts:
                fail(f"{exe} --help printed no long options")
            for opt in opts:
                if not re.search(re.escape(opt) + r"(?![a-z0-9-])", text):
                    fail(f"{page}: option {opt} (printed by --help) is not documented")
            # the Swedish help (--lang sv, from the same catalogue) names the same options
            r = subprocess.run([exe, "--lang", "sv", "--help"], capture_output=True, text=True,
                               env=dict(os.environ, LC_ALL="C.UTF-8"))
            sv = long_options(r.stdout)
            if r.returncode != 0 or sv != opts:
                fail(f"{exe} --lang sv --help names other options than --help: "
                     f"{sorted(set(sv) ^ set(opts))}")
            if "Usage:" in r.stdout:
                fail(f"{exe} --lang sv --help is not in Swedish")

    # the dispatcher page: every command, every exit status
    if name == "utfall":
        cmds = sorted(d for d in os.listdir(os.path.join(source, "cmd"))
                      if os.path.isdir(os.path.join(source, "cmd", d))
                      and d not in ("common", "utfall"))
        for c in sorted(set(cmds) | EXPECTED_WHEN_PRESENT):
            if not re.search(rf"utfall {c}\b", text):
                fail(f"{page}: command 'utfall {c}' is not listed")
            if f"utfall-{c} (1)" not in text.replace("\\", ""):
                fail(f"{page}: SEE ALSO lacks utfall-{c}(1)")
        with open(os.path.join(source, "include", "utfall", "error.h"), encoding="utf-8") as f:
            statuses = re.findall(r"UTFALL_(?:OK|ERR_\w+)\s*=\s*(\d+)", f.read())
        exit_part = src.split(".SH EXIT STATUS", 1)[-1].split("\n.SH ", 1)[0]
        for st in statuses:
            if not re.search(rf"^\.B {st}$", exit_part, re.M):
                fail(f"{page}: EXIT STATUS does not document status {st} (from error.h)")

    warnings = render(path)
    if warnings is None:
        print("neither groff nor man is installed (scripts/bootstrap installs groff-base); "
              "rendering not checked")
    else:
        for w in warnings:
            fail(f"{page}: renders with warnings: {w}")

    if failures:
        for f_ in failures:
            print("FAIL:", f_)
        return 1
    print(f"{page}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
