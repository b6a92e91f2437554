#!/usr/bin/env python3
"""Times two shell commands in turn (A B A B ...) and prints, for each, the
median wall and CPU time (the command and everything it waited for), and the
median of the pair-by-pair ratios A/B, which stays meaningful when the
machine's speed drifts between pairs.

    bench/paired.py -n RUNS 'COMMAND A' 'COMMAND B'
"""

import argparse
import os
import statistics
import subprocess
import sys
import time


def run(cmd):
    start = time.perf_counter()
    proc = subprocess.Popen(["sh", "-c", cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("paired: %r failed: %s" % (cmd, err[-2000:]))
    return wall, usage.ru_utime + usage.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=5)
    ap.add_argument("a")
    ap.add_argument("b")
    args = ap.parse_args()
    run(args.a)  # warm-up: caches, first-run costs
    run(args.b)
    samples = {"A": [], "B": []}
    for _ in range(args.n):
        samples["A"].append(run(args.a))
        samples["B"].append(run(args.b))
    for name in ("A", "B"):
        walls = [w for w, _ in samples[name]]
        cpus = [c for _, c in samples[name]]
        print("%s wall %.3f s  cpu %.3f s  (median of %d)" % (name, statistics.median(walls), statistics.median(cpus),
                                                             args.n))
    wall_ratio = statistics.median(a[0] / b[0] for a, b in zip(samples["A"], samples["B"]))
    cpu_ratio = statistics.median(a[1] / b[1] for a, b in zip(samples["A"], samples["B"]))
    print("A/B wall %.4f  cpu %.4f  (median of the pairs)" % (wall_ratio, cpu_ratio))


if __name__ == "__main__":
    main()
