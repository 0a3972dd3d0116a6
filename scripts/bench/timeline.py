#!/usr/bin/env python3
"""Where a warmlane command spends its time.

Runs `WARMLANE --root ROOT run --bundle BUNDLE ID` N times with WARMLANE_TIMELINE=1 and
prints, for every mark the runtime and its init print (see Sources/LinuxSystem/Timeline.swift),
the median time since the command was spawned and the median step from the previous mark.

  scripts/bench/timeline.py WARMLANE BUNDLE [--runs N] [--root DIR]
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("warmlane")
    ap.add_argument("bundle")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--root")
    a = ap.parse_args()
    root = a.root or tempfile.mkdtemp(prefix="warmlane-timeline-")
    env = dict(os.environ, WARMLANE_TIMELINE="1")
    marks = {}
    for i in range(a.runs):
        t0 = time.monotonic_ns() // 1000
        p = subprocess.run([a.warmlane, "--root", root, "run", "--bundle", a.bundle, f"timeline-{i}"],
                           env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        end = time.monotonic_ns() // 1000 - t0
        if p.returncode != 0:
            raise SystemExit(f"run {i} exited {p.returncode}: {p.stderr.decode(errors='replace')}")
        for line in p.stderr.decode().splitlines():
            if line.startswith("timeline "):
                _, _pid, t, label = line.split(" ", 3)
                marks.setdefault(label, []).append(int(t) - t0)
        marks.setdefault("command returned", []).append(end)
    rows = sorted(((statistics.median(v), k) for k, v in marks.items()))
    print(f"{a.runs} runs of `{os.path.basename(a.warmlane)} run`; ms since spawn (median), step from the row above")
    print(f"{'mark':32s} {'at':>8s} {'step':>8s}")
    prev = 0.0
    for t, k in rows:
        print(f"{k:32s} {t / 1000:8.2f} {(t - prev) / 1000:8.2f}")
        prev = t


if __name__ == "__main__":
    main()
