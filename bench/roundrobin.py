#!/usr/bin/env python3
"""Time commands in interleaved rounds: A B C … A B C …, so that the load
of a shared machine falls on every command alike, instead of on whichever
ran while another job was busy.  Used by bench/run.

    roundrobin.py RUNS WARMUP OUT.tsv NAME=CMD ...

CMD is started directly, like hyperfine -N, when it is a plain command line
(no pipes, redirections or variables), otherwise by bash; process start is
included either way.  Writes one line per command:
NAME, min, median, max wall-clock seconds, failed runs, and the median CPU
seconds (user + system of the process and every child it waited for, all
threads), which other jobs on a shared machine disturb far less than the
wall clock.
"""
import os
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
    cpu = {name: [] for name, _ in cmds}
    failed = {name: 0 for name, _ in cmds}
    for r in range(warmup + runs):
        for name, _ in cmds:
            t0 = time.perf_counter()
            p = subprocess.Popen(argvs[name], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            _, status, ru = os.wait4(p.pid, 0)
            t = time.perf_counter() - t0
            p.returncode = os.waitstatus_to_exitcode(status)
            if p.returncode != 0:
                failed[name] += 1
            elif r >= warmup:
                times[name].append(t)
                cpu[name].append(ru.ru_utime + ru.ru_stime)
    with open(out, "w") as f:
        for name, _ in cmds:
            t = times[name]
            if t:
                f.write("%s\t%.4f\t%.4f\t%.4f\t%d\t%.4f\n" % (
                    name, min(t), statistics.median(t), max(t), failed[name],
                    statistics.median(cpu[name])))
            else:
                f.write("%s\tfailed\tfailed\tfailed\t%d\tfailed\n" % (name, failed[name]))


if __name__ == "__main__":
    main()
