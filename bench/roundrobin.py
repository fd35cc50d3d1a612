#!/usr/bin/env python3
"""Time commands in interleaved rounds: A B C … A B C …, so that the load
of a shared machine falls on every command alike, instead of on whichever
ran while another job was busy.  Used by bench/run.

    roundrobin.py RUNS WARMUP OUT.tsv NAME=CMD ...

CMD is started directly, like hyperfine -N, when it is a plain command line
(no pipes, redirections or variables), otherwise by bash; process start is
included either way.  Writes one line per command:
NAME, min, median, max wall-clock seconds, failed runs.
"""
import shlex
import statistics
import subprocess
import sys
import time


def main():
    runs, warmup, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    cmds = [a.split("=", 1) for a in sys.argv[4:]]
    argvs = {name: (shlex.split(cmd) if not any(c in cmd for c in "|&;<>$`()*?")
                    else ["bash", "-c", cmd]) for name, cmd in cmds}
    times = {name: [] for name, _ in cmds}
    failed = {name: 0 for name, _ in cmds}
    for r in range(warmup + runs):
        for name, _ in cmds:
            t0 = time.perf_counter()
            rc = subprocess.run(argvs[name], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL).returncode
            t = time.perf_counter() - t0
            if rc != 0:
                failed[name] += 1
            elif r >= warmup:
                times[name].append(t)
    with open(out, "w") as f:
        for name, _ in cmds:
            t = times[name]
            if t:
                f.write("%s\t%.4f\t%.4f\t%.4f\t%d\n" % (name, min(t), statistics.median(t),
                                                      max(t), failed[name]))
            else:
                f.write("%s\tfailed\tfailed\tfailed\t%d\n" % (name, failed[name]))


if __name__ == "__main__":
    main()
