#!/usr/bin/env python3
"""Run one declarative CLI test case (tests/cli/cases/NAME.case).

A case is a small key: value file:
    args: summary -f json data-samples/ama.csv   (run as `utfall ARGS`)
    stdin: tests/data/file.csv                   (optional; default empty)
    env: LANG=sv_SE.UTF-8                        (optional, repeatable)
    exit: 0                                      (expected exit status)
    stdout: expected/summary-ama.json            (golden file, optional)
    stdout-contains: text                        (repeatable)
    stdout-lacks: text                           (repeatable)
    stderr-contains: text                        (repeatable)
    stderr-empty: yes
    stdout-file: /dev/full                       (stdout goes to this file instead)
    stdout-closed: yes                           (the reader closes the pipe at once, as
                                                  `| head -0` does: exit 0 or SIGPIPE, quiet)
    file: PATH                                   (a file the run must create, under the temp dir $TMP)
    file-equals: PATH PATH                       (two files with the same bytes; repeatable)
    setup: synth --rows 10 -o $TMP/x.csv         (`utfall ARGS` run first, must exit 0; repeatable)
    setup-copy: SRC $TMP/DST                     (copy a file into place before the run)
    file-absent: PATH                            (a file the run must not leave behind)
    file-contains: PATH TEXT                     (the file holds TEXT; repeatable)
    file-lacks: PATH TEXT                        (the file does not hold TEXT; repeatable)
    zip-contains: PATH MEMBER TEXT               (member of the zip file (XLSX) holds TEXT)
    check-cmd: pdftotext $TMP/r.pdf $TMP/r.txt   (a shell command run after the run, in the
                                                  source root, that must exit 0; checked
                                                  before the file keys, so it can make
                                                  files for them; repeatable)
Paths are relative to the source root; $TMP in args is a fresh temporary
directory.  UTFALL_UPDATE_GOLDEN=1 rewrites golden files instead of
comparing (review the diff before committing).
"""
import os
import shlex
import subprocess
import sys
import tempfile


def main():
    build, source, case = sys.argv[1], sys.argv[2], sys.argv[3]
    keys = []
    with open(case, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            k, _, v = line.partition(":")
            keys.append((k.strip(), v.strip()))
    get = lambda k: [v for kk, v in keys if kk == k]
    tmp = tempfile.mkdtemp(prefix="utfall-test-")
    args = shlex.split(get("args")[0].replace("$TMP", tmp))
    exe = os.path.join(build, "cmd", "utfall")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
           "SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01: stable future-date checks
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    # process-lifetime font caches (fontconfig, Pango) are not leaks of ours
    supp = "suppressions=" + os.path.join(source, "tests", "lsan.supp") + ":print_suppressions=0"
    env["LSAN_OPTIONS"] = env["LSAN_OPTIONS"] + ":" + supp if "LSAN_OPTIONS" in env else supp
    for e in get("env"):
        k, _, v = e.partition("=")
        env[k] = v
    stdin = b""
    if get("stdin"):
        with open(os.path.join(source, get("stdin")[0]), "rb") as f:
            stdin = f.read()
    wrapper = []
    if os.environ.get("UTFALL_VALGRIND") == "1":
        # memcheck over the whole run, the dispatcher's child included
        wrapper = ["valgrind", "-q", "--trace-children=yes", "--error-exitcode=99",
                   "--suppressions=" + os.path.join(source, "tests", "valgrind.supp"),
                   "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                   "--show-leak-kinds=definite,indirect"]
    import shutil
    for s in get("setup-copy"):
        src, _, dst = s.partition(" ")
        shutil.copyfile(os.path.join(source, src), dst.replace("$TMP", tmp))
    for s in get("setup"):
        sp = subprocess.run(wrapper + [exe] + shlex.split(s.replace("$TMP", tmp)), cwd=source,
                            env=env, capture_output=True, timeout=600)
        if sp.returncode != 0:
            print("setup failed:", s, sp.stderr.decode("utf-8", "replace")[:3000])
            return 1
    if get("stdout-file") or get("stdout-closed"):
        out_target = open(get("stdout-file")[0], "wb") if get("stdout-file") else subprocess.PIPE
        proc = subprocess.Popen(wrapper + [exe] + args, stdin=subprocess.PIPE, stdout=out_target,
                                stderr=subprocess.PIPE, cwd=source, env=env)
        if get("stdout-closed"):
            proc.stdout.close()
        try:
            proc.stdin.write(stdin)
        except BrokenPipeError:
            pass
        proc.stdin.close()
        err_bytes = proc.stderr.read()
        rc = proc.wait(timeout=600)
        if get("stdout-closed") and rc == -13:
            rc = 0  # killed by SIGPIPE: what `| head` expects of a Unix tool
        p = subprocess.CompletedProcess(proc.args, rc, b"", err_bytes)
    else:
        p = subprocess.run(wrapper + [exe] + args, input=stdin, capture_output=True, cwd=source,
                           env=env, timeout=600)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    problems = []
    for cmd in get("check-cmd"):
        cp = subprocess.run(["/bin/sh", "-c", cmd.replace("$TMP", tmp)], cwd=source, env=env,
                            capture_output=True, timeout=600)
        if cp.returncode != 0:
            problems.append(f"check-cmd failed ({cp.returncode}): {cmd}\n"
                            + cp.stderr.decode("utf-8", "replace")[:2000])
    want_exit = int(get("exit")[0]) if get("exit") else 0
    if p.returncode != want_exit:
        problems.append(f"exit status {p.returncode}, expected {want_exit}")
    for g in get("stdout"):
        path = os.path.join(source, "tests", "cli", g)
        if os.environ.get("UTFALL_UPDATE_GOLDEN") == "1":
            with open(path, "wb") as f:
                f.write(p.stdout)
        else:
            with open(path, "rb") as f:
                want = f.read()
            if want != p.stdout:
                import difflib
                diff = "".join(difflib.unified_diff(
                    want.decode("utf-8", "replace").splitlines(True), out.splitlines(True),
                    "expected", "actual"))
                problems.append("stdout differs from " + g + ":\n" + diff[:4000])
    for s in get("stdout-contains"):
        if s not in out:
            problems.append(f"stdout lacks {s!r}")
    for s in get("stdout-lacks"):
        if s in out:
            problems.append(f"stdout contains {s!r}")
    for s in get("stderr-contains"):
        if s not in err:
            problems.append(f"stderr lacks {s!r}")
    for marker in ("runtime error:", "AddressSanitizer", "LeakSanitizer", "== ERROR SUMMARY",
                   "Invalid read", "Invalid write", "definitely lost", "uninitialised"):
        if marker in err:
            problems.append(f"sanitizer/valgrind report in stderr ({marker})")
    if get("stderr-empty") and err:
        problems.append("stderr is not empty")
    for f in get("file-mode"):
        path, _, mode = f.rpartition(" ")
        path = path.replace("$TMP", tmp)
        if not os.path.exists(path) or oct(os.stat(path).st_mode & 0o777)[2:] != mode:
            problems.append(f"{path} does not have mode {mode}")
    for f in get("file-absent"):
        if os.path.exists(f.replace("$TMP", tmp)):
            problems.append(f"{f} was left behind")
    for f in get("file"):
        if not os.path.exists(f.replace("$TMP", tmp)):
            problems.append(f"{f} was not created")
    for f in get("file-equals"):
        a, b = (os.path.join(source, x.replace("$TMP", tmp)) for x in shlex.split(f))
        try:
            with open(a, "rb") as fa, open(b, "rb") as fb:
                if fa.read() != fb.read():
                    problems.append(f"{a} and {b} differ")
        except OSError as e:
            problems.append(f"file-equals: {e}")
    for key, want in (("file-contains", True), ("file-lacks", False)):
        for f in get(key):
            path, _, text = f.partition(" ")
            try:
                with open(os.path.join(source, path.replace("$TMP", tmp)),
                          encoding="utf-8") as fh:
                    if (text in fh.read()) != want:
                        problems.append(f"{path} {'lacks' if want else 'holds'} {text!r}")
            except OSError as e:
                problems.append(f"{key}: {e}")
    for f in get("zip-contains"):
        path, _, rest = f.partition(" ")
        member, _, text = rest.partition(" ")
        import zipfile
        try:
            with zipfile.ZipFile(os.path.join(source, path.replace("$TMP", tmp))) as z:
                if text not in z.read(member).decode("utf-8"):
                    problems.append(f"{path}:{member} lacks {text!r}")
        except (OSError, KeyError, zipfile.BadZipFile) as e:
            problems.append(f"zip-contains: {e}")
    if problems:
        print("args:", args)
        print("--- stdout ---\n" + out[:3000])
        print("--- stderr ---\n" + err[:3000])
        print("\n".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
