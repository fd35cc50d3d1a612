#!/usr/bin/env python3
"""Tests of the CLI test runner, runcase.py.

    selftest.py refuses BUILD SOURCE DIR
        Every DIR/*.case is a broken case: runcase.py must fail it (exit
        status 1, `FAIL NAME`) and say each text given in the case's
        `# runner-says: TEXT` comment lines.  One line per case, `ok NAME`
        or `FAIL NAME`, as runcase.py prints them.
    selftest.py layout CASES FOLDER...
        The folders of CASES are exactly the FOLDERs that have a meson
        test (tests/cli/meson.build), nothing else lies in CASES or its
        folders but *.case files, and no case name is used twice: a case
        file that no test runs would pass silently.
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def refuses(build, source, folder):
    cases = sorted(glob.glob(os.path.join(folder, "*.case")))
    if not cases:
        print(f"selftest: {folder}: no *.case files")
        return 1
    # the failed cases' kept temporary directories go in one that is removed
    scratch = tempfile.mkdtemp(prefix="utfall-selftest-")
    env = dict(os.environ, TMPDIR=scratch)
    try:
        return refuse_each(build, source, cases, env)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def refuse_each(build, source, cases, env):
    failed = 0
    for case in cases:
        name = os.path.basename(case)[:-len(".case")]
        with open(case, encoding="utf-8") as f:
            says = [line.split(":", 1)[1].strip() for line in f
                    if line.startswith("# runner-says:")]
        p = subprocess.run([sys.executable, os.path.join(HERE, "runcase.py"), build, source,
                            case], capture_output=True, text=True, timeout=600, env=env)
        out = p.stdout + p.stderr
        problems = []
        if not says:
            problems.append("no '# runner-says:' line: nothing to check")
        if p.returncode != 1:
            problems.append(f"runcase.py exit status {p.returncode}, expected 1")
        if not p.stdout.startswith(f"FAIL {name}\n"):
            problems.append(f"runcase.py did not print 'FAIL {name}' first")
        if "the runner failed" in out or "Traceback" in out:
            problems.append("runcase.py failed on its own, not on the case")
        problems += [f"runcase.py did not say {s!r}" for s in says if s not in out]
        print(("FAIL " if problems else "ok ") + name)
        if problems:
            for line in problems + ["--- runcase.py said ---"] + out.splitlines():
                print("    " + line)
        failed += bool(problems)
    print(f"# {len(cases)} cases: {len(cases) - failed} ok, {failed} failed")
    return 1 if failed else 0


def layout(cases, folders):
    problems = []
    have = sorted(os.listdir(cases))
    for entry in have:
        path = os.path.join(cases, entry)
        if not os.path.isdir(path):
            problems.append(f"{path}: not in a command's folder, so no test runs it")
        elif entry not in folders:
            problems.append(f"{path}/: no meson test runs it: add '{entry}' to cli_folders "
                            f"in tests/cli/meson.build")
    for folder in folders:
        if folder not in have:
            problems.append(f"{os.path.join(cases, folder)}/: in cli_folders, but missing")
    seen = {}
    for path in sorted(glob.glob(os.path.join(cases, "*", "*"))):
        name = os.path.basename(path)
        if not name.endswith(".case"):
            problems.append(f"{path}: not a .case file, so no test runs it")
        elif name in seen:
            problems.append(f"{path}: the name is taken by {seen[name]}")
        else:
            seen[name] = path
    for p in problems:
        print(p)
    print(f"{len(seen)} case files in {len(folders)} folders, {len(problems)} problems")
    return 1 if problems else 0


def main(argv):
    if len(argv) == 4 and argv[0] == "refuses":
        return refuses(*argv[1:])
    if len(argv) >= 3 and argv[0] == "layout":
        return layout(argv[1], argv[2:])
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
