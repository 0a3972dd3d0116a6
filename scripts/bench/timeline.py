#!/usr/bin/env python3
"""Where a warmlane command spends its time.

Runs `WARMLANE --root ROOT run --bundle BUNDLE ID` N times with WARMLANE_TIMELINE=1 and
prints, for every mark the runtime and its init print (see Sources/LinuxSystem/Timeline.swift),
the median time since the command was spawned and the median step from the previous mark.
With --exec, it first starts BUNDLE (whose process should keep running) with `run -d` and
times `exec ID /bin/true` into it instead.

  scripts/bench/timeline.py WARMLANE BUNDLE [--runs N] [--root DIR] [--exec]
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
    ap.add_argument("--exec", action="store_true", help="time exec into a running container")
    a = ap.parse_args()
    root = a.root or tempfile.mkdtemp(prefix="warmlane-timeline-")
    env = dict(os.environ, WARMLANE_TIMELINE="1")
    target = f"timeline-target-{os.getpid()}"
    if a.exec:
        subprocess.run([a.warmlane, "--root", root, "run", "-d", "--bundle", a.bundle, target],
                       check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        marks = measure(a, root, env, target)
    finally:
        if a.exec:
            subprocess.run([a.warmlane, "--root", root, "delete", "--force", target])
    rows = sorted(((statistics.median(v), k) for k, v in marks.items()))
    verb = "exec" if a.exec else "run"
    print(f"{a.runs} runs of `{os.path.basename(a.warmlane)} {verb}`; ms since spawn (median), step from the row above")
    print(f"{'mark':32s} {'at':>8s} {'step':>8s}")
    prev = 0.0
    for t, k in rows:
        print(f"{k:32s} {t / 1000:8.2f} {(t - prev) / 1000:8.2f}")
        prev = t


def measure(a, root, env, target):
    marks = {}
    for i in range(a.runs):
        argv = ([a.warmlane, "--root", root, "exec", target, "/bin/true"] if a.exec else
                [a.warmlane, "--root", root, "run", "--bundle", a.bundle, f"timeline-{i}"])
        t0 = time.monotonic_ns() // 1000
        p = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        end = time.monotonic_ns() // 1000 - t0
        if p.returncode != 0:
            raise SystemExit(f"run {i} exited {p.returncode}: {p.stderr.decode(errors='replace')}")
        for line in p.stderr.decode().splitlines():
            if line.startswith("timeline "):
                _, _pid, t, label = line.split(" ", 3)
                marks.setdefault(label, []).append(int(t) - t0)
        marks.setdefault("command returned", []).append(end)
    return marks


if __name__ == "__main__":
    main()
