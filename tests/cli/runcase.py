#!/usr/bin/env python3
"""Run the declarative CLI test cases, tests/cli/cases/COMMAND/NAME.case.

Usage: tests/cli/runcase.py BUILD SOURCE [-j N] WHAT...

BUILD is the build directory, SOURCE the source root; WHAT is a folder
(every *.case in it, found when the runner runs, so a new case file needs
no reconfigure), a case file, or a case name looked up in
tests/cli/cases/*/NAME.case.  For example:

    tests/cli/runcase.py build . tests/cli/cases/goal/ama-goal-csv.case
    tests/cli/runcase.py build . ama-goal-csv bad-personnummer
    tests/cli/runcase.py build . tests/cli/cases/goal
    meson test -C build --suite cli goal      (the same folder through meson)

It prints one line per case, `ok NAME` or `FAIL NAME` with the failure's
details indented below it, then `# N cases: P ok, F failed`; scripts/test
counts the `ok`/`FAIL` lines.  Exit status 0 when every case passed, 1 when
one failed, 2 on a usage error.  Cases run two at a time (-j N or
UTFALL_CLI_JOBS), one at a time under valgrind.

UTFALL_VALGRIND=1 runs every utfall process under valgrind memcheck (zero
errors, no definite or indirect leaks).  UTFALL_UPDATE_GOLDEN=1 rewrites
the golden files of stdout: instead of comparing (review the diff before
committing).

Where a case goes: the folder of the command it runs (the first word of
args:); a case whose setup: makes its input with another command goes with
that command; the dispatcher's own cases go in utfall/.  A new folder needs
its name in tests/cli/meson.build (the runner suite's cli-layout test says
so).  Case names are unique across folders.

A case is a small `key: value` file; lines starting with # and blank lines
are ignored, and the value is stripped of surrounding blanks.  A key the
runner does not know, a second line of a key that is not repeatable, an
empty value, a value not of the key's form, a missing args: or a check of a
standard output that is not read makes the case fail, naming the case file
(and line): a misspelled assertion must never pass silently.  $TMP in a value is
the case's own fresh temporary directory (also TMPDIR of every run; removed
when the case passes, kept for inspection when it fails).  Paths are
relative to the source root.

The run:
    args: summary -f json data-samples/ama.csv
        run `utfall ARGS` (required; shell-style quoting)
    stdin: tests/data/file.csv
        the run's standard input (default: empty)
    env: LANG=sv_SE.UTF-8
        set for the run, its setups and check-cmds (repeatable; the
        environment is otherwise only PATH, LANG=C.UTF-8, TMPDIR and
        SOURCE_DATE_EPOCH=1767225600)
    setup: synth --rows 10 -o $TMP/x.csv
        `utfall ARGS` run before the run, must exit 0 (repeatable)
    setup-copy: SRC $TMP/DST
        copy a file into place before the setups (repeatable)
    setup-mode: $TMP/k.key 644
        give a file these permission bits (octal) after the setups, before
        the run (repeatable)
    stdout-file: /dev/full
        standard output goes to this file instead of a pipe
    stdout-closed: yes
        the reader closes the pipe at once, as `| head -0` does: exit 0 or
        death by SIGPIPE, and quiet
The exit status and the output:
    exit: 0
        expected exit status (default 0)
    stdout: expected/summary-ama.json
        golden file, relative to tests/cli/: standard output is these bytes
    stdout-contains: TEXT
        (repeatable)
    stdout-lacks: TEXT
        (repeatable)
    stderr-contains: TEXT
        (repeatable)
    stderr-lacks: TEXT
        (repeatable)
    stderr-empty: yes
        nothing at all on standard error
Files, checked after the run:
    check-cmd: pdftotext $TMP/r.pdf $TMP/r.txt
        a shell command run in the source root that must exit 0; run
        before the file keys, so it can make files for them (repeatable)
    file: PATH
        the run created PATH (repeatable)
    file-absent: PATH
        no file matches PATH, which may hold shell wildcards, as in
        $TMP/out.xlsx.tmp* (repeatable)
    file-mode: PATH MODE
        PATH exists with the permission bits MODE, in octal as `600`
        (repeatable)
    file-equals: PATH PATH
        the two files hold the same bytes (repeatable)
    file-contains: PATH TEXT
        the file holds TEXT (repeatable)
    file-lacks: PATH TEXT
        the file does not hold TEXT (repeatable)
    zip-contains: PATH MEMBER TEXT
        member MEMBER of the zip file (XLSX) holds TEXT (repeatable)
    files-lack: TEXT
        TEXT is nowhere: not in standard output or standard error, not in
        the name or bytes of any file under $TMP (recursively), not in any
        member of a zip file (XLSX, DOCX; nested zips too), not in a
        gzip file's or a PDF stream's inflated bytes, nor in what
        pdftotext (when installed) reads from a PDF (repeatable; the
        privacy tests' way to say a refused value appears nowhere)
Standard error is always searched for sanitizer and valgrind reports.
"""
import concurrent.futures
import difflib
import glob
import gzip
import io
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import traceback
import zipfile
import zlib

# key -> (repeatable, number of space-separated fields in the value; the
# last field takes the rest of the line)
KEYS = {
    "args": (False, 1),
    "stdin": (False, 1),
    "env": (True, 1),
    "setup": (True, 1),
    "setup-copy": (True, 2),
    "setup-mode": (True, 2),
    "stdout-file": (False, 1),
    "stdout-closed": (False, 1),
    "exit": (False, 1),
    "stdout": (False, 1),
    "stdout-contains": (True, 1),
    "stdout-lacks": (True, 1),
    "stderr-contains": (True, 1),
    "stderr-lacks": (True, 1),
    "stderr-empty": (False, 1),
    "check-cmd": (True, 1),
    "file": (True, 1),
    "file-absent": (True, 1),
    "file-mode": (True, 2),
    "file-equals": (True, 2),
    "file-contains": (True, 2),
    "file-lacks": (True, 2),
    "zip-contains": (True, 3),
    "files-lack": (True, 1),
}
# every key above is documented above
assert all(f"\n    {k}: " in __doc__ for k in KEYS), "runcase.py: a key is not documented"

SANITIZER_MARKERS = ("runtime error:", "AddressSanitizer", "LeakSanitizer", "== ERROR SUMMARY",
                     "Invalid read", "Invalid write", "definitely lost", "uninitialised")
TIMEOUT = 600


class CaseError(Exception):
    """A case file the runner does not understand."""


def parse_case(path, shown):
    """The case's keys as {key: [value, ...]}; CaseError when the file is not
    a case this runner understands."""
    keys = {}
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            where = f"{shown}:{lineno}"
            if ":" not in line:
                raise CaseError(f"{where}: not a 'key: value' line: {line!r}")
            k, _, v = line.partition(":")
            k, v = k.strip(), v.strip()
            if k not in KEYS:
                near = difflib.get_close_matches(k, KEYS, n=1)
                hint = f" (did you mean '{near[0]}'?)" if near else ""
                raise CaseError(f"{where}: unknown key '{k}'{hint}")
            repeatable, fields = KEYS[k]
            if k in keys and not repeatable:
                raise CaseError(f"{where}: key '{k}' given twice")
            if not v:
                raise CaseError(f"{where}: key '{k}' has no value")
            if len(v.split(None, fields - 1)) < fields:
                raise CaseError(f"{where}: key '{k}' needs {fields} fields: {v!r}")
            if k in ("stderr-empty", "stdout-closed") and v != "yes":
                raise CaseError(f"{where}: key '{k}' takes only 'yes', not {v!r}")
            if k == "exit" and not re.fullmatch(r"-?[0-9]+", v):
                raise CaseError(f"{where}: exit status {v!r} is not a number")
            if k == "env" and "=" not in v:
                raise CaseError(f"{where}: env {v!r} is not NAME=VALUE")
            if k in ("file-mode", "setup-mode") and \
                    not re.fullmatch(r"[0-7]{3,4}", v.rsplit(None, 1)[1]):
                raise CaseError(f"{where}: {k} {v!r} does not end in an octal mode")
            keys.setdefault(k, []).append(v)
    if "args" not in keys:
        raise CaseError(f"{shown}: no 'args:' line")
    if "stdout-file" in keys and "stdout-closed" in keys:
        raise CaseError(f"{shown}: 'stdout-file' and 'stdout-closed' exclude each other")
    if "stdout-file" in keys or "stdout-closed" in keys:
        for k in ("stdout", "stdout-contains", "stdout-lacks"):
            if k in keys:
                raise CaseError(f"{shown}: '{k}' cannot be checked: standard output is not read")
        if "files-lack" in keys and "$TMP" not in keys.get("stdout-file", ["$TMP"])[0]:
            raise CaseError(f"{shown}: 'files-lack' cannot see standard output written "
                            f"outside $TMP")
    return keys


def inflated_pdf_streams(data):
    for m in re.finditer(rb"stream\r?\n", data):
        try:
            yield zlib_decompress(data[m.end():])
        except Exception:  # not Flate, or damaged: the raw bytes are searched anyway
            pass


def zlib_decompress(data):
    d = zlib.decompressobj()
    out = d.decompress(data, 1 << 26)
    if not d.eof and not out:
        raise ValueError("not a zlib stream")
    return out


def places_holding(label, data, needle, depth=0):
    """Where in DATA (named LABEL) the bytes NEEDLE appear: the bytes
    themselves, a zip's members, a gzip's or PDF's inflated bytes, and the
    text pdftotext reads from a PDF."""
    found = [label] if needle in data else []
    if depth > 3:
        return found
    if data[:2] == b"PK" and zipfile.is_zipfile(io.BytesIO(data)):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for member in z.namelist():
                    found += places_holding(f"{label}:{member}", z.read(member), needle,
                                            depth + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError) as e:
            found.append(f"{label}, perhaps: a zip that cannot be read ({e})")
    elif data[:2] == b"\x1f\x8b":
        try:
            found += places_holding(f"{label} (gunzipped)", gzip.decompress(data), needle,
                                    depth + 1)
        except (OSError, EOFError):
            pass
    elif data[:5] == b"%PDF-":
        if any(needle in s for s in inflated_pdf_streams(data)):
            found.append(f"{label} (an inflated stream)")
        if shutil.which("pdftotext"):
            p = subprocess.run(["pdftotext", "-q", "-", "-"], input=data, capture_output=True,
                               timeout=TIMEOUT)
            if needle in p.stdout:
                found.append(f"{label} (pdftotext)")
            # text wrapped at a line end is still the text
            elif needle in re.sub(rb"\s+", b" ", p.stdout):
                found.append(f"{label} (pdftotext, across a line break)")
    return found


def files_holding(tmp, needle, streams):
    found = []
    for label, data in streams:
        found += places_holding(label, data, needle)
    for dirpath, dirnames, filenames in os.walk(tmp):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            path = os.path.join(dirpath, name)
            rel = "$TMP/" + os.path.relpath(path, tmp)
            if needle in os.fsencode(name):
                found.append(f"{rel} (its name)")
            try:
                st = os.lstat(path)
                if not stat.S_ISREG(st.st_mode):
                    continue  # directories, links, valgrind's FIFOs
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                continue  # gone meanwhile (a valgrind temporary)
            found += places_holding(rel, data, needle)
    return found


class Runner:
    def __init__(self, build, source):
        self.build = os.path.abspath(build)
        self.source = os.path.abspath(source)
        self.exe = os.path.join(self.build, "cmd", "utfall")
        self.valgrind = os.environ.get("UTFALL_VALGRIND") == "1"
        self.update_golden = os.environ.get("UTFALL_UPDATE_GOLDEN") == "1"

    def shown(self, path):
        rel = os.path.relpath(path, self.source)
        return path if rel.startswith("..") else rel

    def wrapper(self):
        if not self.valgrind:
            return []
        # memcheck over the whole run, the dispatcher's child included
        return ["valgrind", "-q", "--trace-children=yes", "--error-exitcode=99",
                "--suppressions=" + os.path.join(self.source, "tests", "valgrind.supp"),
                "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                "--show-leak-kinds=definite,indirect"]

    def environment(self, tmp, case_env):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               "TMPDIR": tmp,
               "SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01: stable future-date checks
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                env[k] = os.environ[k]
        # process-lifetime font caches (fontconfig, Pango) are not leaks of ours
        supp = ("suppressions=" + os.path.join(self.source, "tests", "lsan.supp")
                + ":print_suppressions=0")
        env["LSAN_OPTIONS"] = env["LSAN_OPTIONS"] + ":" + supp if "LSAN_OPTIONS" in env else supp
        for e in case_env:
            k, _, v = e.partition("=")
            env[k] = v
        return env

    def run(self, case):
        """(passed, detail lines) of one case file."""
        details = [f"case: {self.shown(case)}"]
        try:
            keys = parse_case(case, self.shown(case))
        except (CaseError, OSError, UnicodeDecodeError) as e:
            return False, details + [str(e)]
        tmp = tempfile.mkdtemp(prefix="utfall-test-")
        try:
            problems, more = self.check(keys, tmp)
        except Exception:  # the runner's own failure is the case's failure, never a pass
            problems, more = ["the runner failed:"] + traceback.format_exc().splitlines(), []
        if not problems:
            shutil.rmtree(tmp, ignore_errors=True)
            return True, []
        return False, details + problems + more + [f"kept: {tmp}"]

    def check(self, keys, tmp):
        get = lambda k: keys.get(k, [])
        sub = lambda s: s.replace("$TMP", tmp)
        src = lambda p: os.path.join(self.source, sub(p))
        args = shlex.split(sub(get("args")[0]))
        env = self.environment(tmp, [sub(e) for e in get("env")])
        wrapper = self.wrapper()
        stdin = b""
        if get("stdin"):
            with open(src(get("stdin")[0]), "rb") as f:
                stdin = f.read()
        for s in get("setup-copy"):
            a, b = s.split(None, 1)
            shutil.copyfile(src(a), src(b))
        for s in get("setup"):
            sp = subprocess.run(wrapper + [self.exe] + shlex.split(sub(s)), cwd=self.source,
                                env=env, capture_output=True, timeout=TIMEOUT)
            if sp.returncode != 0:
                return [f"setup failed ({sp.returncode}): {s}"], \
                    indented("stderr", sp.stderr.decode("utf-8", "replace")[:3000])
        for s in get("setup-mode"):
            path, mode = s.rsplit(None, 1)
            os.chmod(src(path), int(mode, 8))
        if get("stdout-file") or get("stdout-closed"):
            out_target = open(src(get("stdout-file")[0]), "wb") if get("stdout-file") \
                else subprocess.PIPE
            proc = subprocess.Popen(wrapper + [self.exe] + args, stdin=subprocess.PIPE,
                                    stdout=out_target, stderr=subprocess.PIPE, cwd=self.source,
                                    env=env)
            if get("stdout-closed"):
                proc.stdout.close()
            else:
                out_target.close()
            _, err_bytes = proc.communicate(stdin, timeout=TIMEOUT)
            rc = proc.returncode
            if get("stdout-closed") and rc == -13:
                rc = 0  # killed by SIGPIPE: what `| head` expects of a Unix tool
            p = subprocess.CompletedProcess(proc.args, rc, b"", err_bytes)
        else:
            p = subprocess.run(wrapper + [self.exe] + args, input=stdin, capture_output=True,
                               cwd=self.source, env=env, timeout=TIMEOUT)
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        problems = []
        for cmd in get("check-cmd"):
            cp = subprocess.run(["/bin/sh", "-c", sub(cmd)], cwd=self.source, env=env,
                                capture_output=True, timeout=TIMEOUT)
            if cp.returncode != 0:
                problems.append(f"check-cmd failed ({cp.returncode}): {cmd}")
                problems += indented("its stderr", cp.stderr.decode("utf-8", "replace")[:2000])
        want_exit = int(get("exit")[0]) if get("exit") else 0
        if p.returncode != want_exit:
            problems.append(f"exit status {p.returncode}, expected {want_exit}")
        for g in get("stdout"):
            path = os.path.join(self.source, "tests", "cli", g)
            if self.update_golden:
                with open(path, "wb") as f:
                    f.write(p.stdout)
                continue
            with open(path, "rb") as f:
                want = f.read()
            if want != p.stdout:
                diff = "".join(difflib.unified_diff(
                    want.decode("utf-8", "replace").splitlines(True), out.splitlines(True),
                    "expected", "actual"))
                problems.append("stdout differs from " + g + ":")
                problems += diff[:4000].splitlines()
        for stream, text in (("stdout", out), ("stderr", err)):
            for s in get(stream + "-contains"):
                if s not in text:
                    problems.append(f"{stream} lacks {s!r}")
            for s in get(stream + "-lacks"):
                if s in text:
                    problems.append(f"{stream} holds {s!r}")
        for marker in SANITIZER_MARKERS:
            if marker in err:
                problems.append(f"sanitizer/valgrind report in stderr ({marker})")
        if get("stderr-empty") and err:
            problems.append("stderr is not empty")
        for f in get("file-mode"):
            path, mode = f.rsplit(None, 1)
            try:
                have = os.stat(src(path)).st_mode & 0o7777
                if have != int(mode, 8):
                    problems.append(f"{path} has mode {have:03o}, not {mode}")
            except OSError as e:
                problems.append(f"file-mode: {e}")
        for f in get("file-absent"):
            left = glob.glob(src(f)) if glob.has_magic(f) else \
                [src(f)] if os.path.lexists(src(f)) else []
            for path in left:
                problems.append(f"{f} was left behind: {path}")
        for f in get("file"):
            if not os.path.exists(src(f)):
                problems.append(f"{f} was not created")
        for f in get("file-equals"):
            a, b = (src(x) for x in shlex.split(f))
            try:
                with open(a, "rb") as fa, open(b, "rb") as fb:
                    if fa.read() != fb.read():
                        problems.append(f"{a} and {b} differ")
            except OSError as e:
                problems.append(f"file-equals: {e}")
        for key, want in (("file-contains", True), ("file-lacks", False)):
            for f in get(key):
                path, text = f.split(" ", 1)
                try:
                    with open(src(path), "rb") as fh:
                        if (text.encode("utf-8") in fh.read()) != want:
                            problems.append(f"{path} {'lacks' if want else 'holds'} {text!r}")
                except OSError as e:
                    problems.append(f"{key}: {e}")
        for f in get("zip-contains"):
            path, member, text = f.split(" ", 2)
            try:
                with zipfile.ZipFile(src(path)) as z:
                    if text.encode("utf-8") not in z.read(member):
                        problems.append(f"{path}:{member} lacks {text!r}")
            except (OSError, KeyError, zipfile.BadZipFile) as e:
                problems.append(f"zip-contains: {e}")
        for text in get("files-lack"):
            streams = [("stdout", p.stdout), ("stderr", p.stderr)]
            for place in files_holding(tmp, text.encode("utf-8"), streams):
                problems.append(f"{text!r} appears in {place}")
        more = []
        if problems:
            more = [f"args: {args}"] + indented("stdout", out[:3000]) \
                + indented("stderr", err[:3000])
        return problems, more


def indented(title, text):
    return [f"--- {title} ---"] + text.splitlines()


def find_cases(source, what):
    """The case files WHAT names, or a usage error message."""
    cases = []
    for w in what:
        if os.path.isdir(w):
            found = sorted(glob.glob(os.path.join(w, "*.case")))
            if not found:
                return None, f"runcase: {w}: no *.case files"
            cases += found
        elif os.path.isfile(w):
            cases.append(w)
        else:
            found = glob.glob(os.path.join(source, "tests", "cli", "cases", "*", w + ".case"))
            if len(found) != 1:
                return None, (f"runcase: {w}: no such case file, folder or case name"
                              if not found else f"runcase: {w}: more than one case: {found}")
            cases += found
    return cases, None


def main(argv):
    jobs = None
    if "-j" in argv:
        i = argv.index("-j")
        jobs = argv[i + 1] if i + 1 < len(argv) else ""
        del argv[i:i + 2]
    if len(argv) < 3 or any(a.startswith("-") for a in argv):
        print("usage: runcase.py BUILD SOURCE [-j N] FOLDER|CASE-FILE|NAME...", file=sys.stderr)
        return 2
    runner = Runner(argv[0], argv[1])
    cases, error = find_cases(runner.source, argv[2:])
    if error:
        print(error, file=sys.stderr)
        return 2
    if jobs is None:
        jobs = os.environ.get("UTFALL_CLI_JOBS") or ("1" if runner.valgrind else "2")
    if not jobs.isdigit() or int(jobs) < 1:
        print(f"runcase: -j {jobs!r}: not a positive number", file=sys.stderr)
        return 2
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=int(jobs)) as pool:
        for case, (passed, details) in zip(cases, pool.map(runner.run, cases)):
            name = os.path.basename(case)[:-len(".case")] if case.endswith(".case") else case
            print(("ok " if passed else "FAIL ") + name)
            for line in details:
                print("    " + line)
            sys.stdout.flush()
            failed += not passed
    print(f"# {len(cases)} case{'' if len(cases) == 1 else 's'}: {len(cases) - failed} ok, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
