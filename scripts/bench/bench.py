#!/usr/bin/env python3
"""Runtime benchmark: `RUNTIME --root R run` of a trivial busybox /bin/true
bundle (no terminal, default namespaces), for warmlane, runc and crun; plus
the `pause` + `resume` round trip and `exec /bin/true` latency against a
running busybox `sleep` container (one per runtime, started with `run -d`).

Prints one table per operation (median, p90 or p99 in ms, ratios vs runc and
vs crun).  Each runtime
gets a private --root and a worker process that runs batches of iterations;
batches alternate between runtimes (round-robin) so that drift in host load
hits every runtime alike.

crun 1.8.1 refuses a hybrid cgroup host whose cgroup2 mount has controllers
("cgroups in hybrid mode not supported, drop all controllers from cgroupv2");
here hugetlb sits on /sys/fs/cgroup/unified.  crun only reads
/sys/fs/cgroup/unified/cgroup.controllers to decide that, so its worker runs
in a private mount namespace (unshare -m) where an empty file is bind-mounted
over that one file.  The host's mounts and cgroups are untouched and the
namespace (and the bind mount) vanish with the worker.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HYBRID_FILE = "/sys/fs/cgroup/unified/cgroup.controllers"


# The integration suite's default config (runc's `spec` shape), so the benchmark and the
# tests run the same container.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "IntegrationTests"))
from harness import base_config as suite_config  # noqa: E402


def base_config():
    return suite_config(["/bin/true"])


def make_bundle(workdir):
    bundle = os.path.join(workdir, "bundle")
    rootfs = os.path.join(bundle, "rootfs")
    for d in ("bin", "dev", "proc", "sys", "tmp", "etc"):
        os.makedirs(os.path.join(rootfs, d))
    busybox = shutil.which("busybox") or "/bin/busybox"
    shutil.copy2(busybox, os.path.join(rootfs, "bin", "busybox"))
    for applet in ("true", "sh", "sleep"):
        os.symlink("busybox", os.path.join(rootfs, "bin", applet))
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(base_config(), f, indent=1)
    return bundle


def make_sleep_bundle(workdir, rootfs):
    """A second bundle sharing the (read-only) rootfs: `sleep` for pause/exec."""
    bundle = os.path.join(workdir, "bundle-sleep")
    os.makedirs(bundle)
    cfg = base_config()
    cfg["process"]["args"] = ["/bin/sleep", "3600"]
    cfg["root"]["path"] = rootfs
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    return bundle


def one_run(runtime, root, bundle, cid):
    t0 = time.perf_counter_ns()
    p = subprocess.run([runtime, "--root", root, "run", "--bundle", bundle, cid],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=60)
    dt = (time.perf_counter_ns() - t0) / 1e6
    if p.returncode != 0:
        raise RuntimeError(f"{runtime} run {cid} exited {p.returncode}: "
                           f"{p.stderr.decode(errors='replace').strip()}")
    return dt


def rt_call(runtime, root, *args, timeout=30):
    # stderr goes to a file, not a pipe: a detached container (run -d)
    # inherits it and would hold a pipe open until it exits.
    with tempfile.TemporaryFile() as err:
        p = subprocess.run([runtime, "--root", root, *args], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=err, timeout=timeout)
        if p.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{runtime} {' '.join(args)} exited {p.returncode}: "
                               f"{err.read().decode(errors='replace').strip()}")


def rt_status(runtime, root, cid):
    p = subprocess.run([runtime, "--root", root, "state", cid], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=30)
    return json.loads(p.stdout)["status"] if p.returncode == 0 else None


class SleepContainer:
    """The long-running container that pause/exec are measured against."""

    def __init__(self, args):
        self.args = args
        self.cid = f"wlb-{args.name}-{os.getpid()}-sleep"
        self.up = False

    def ensure(self):
        if self.up:
            return
        a = self.args
        self.up = True  # from here on, teardown must delete it
        rt_call(a.runtime, a.root, "run", "-d", "--bundle", a.sleep_bundle, self.cid)
        deadline = time.monotonic() + 10
        while rt_status(a.runtime, a.root, self.cid) != "running":
            if time.monotonic() > deadline:
                raise RuntimeError(f"{a.runtime}: {self.cid} is not running after run -d")
            time.sleep(0.02)

    def teardown(self):
        if self.up:
            subprocess.run([self.args.runtime, "--root", self.args.root, "delete", "--force",
                            self.cid], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=30)
            self.up = False


def one_pause_resume(runtime, root, cid):
    t0 = time.perf_counter_ns()
    rt_call(runtime, root, "pause", cid)
    rt_call(runtime, root, "resume", cid)
    return (time.perf_counter_ns() - t0) / 1e6


def one_exec(runtime, root, cid):
    t0 = time.perf_counter_ns()
    rt_call(runtime, root, "exec", cid, "/bin/true")
    return (time.perf_counter_ns() - t0) / 1e6


def worker(args):
    """Reads `OP COUNT` lines on stdin (OP: run, pause, exec), answers one
    JSON line per batch.  pause/exec use one running sleep container, deleted
    when stdin closes."""
    n = 0
    box = SleepContainer(args)
    try:
        for line in sys.stdin:
            op, count = line.split()
            samples, error = [], None
            try:
                for _ in range(int(count)):
                    n += 1
                    if op == "run":
                        samples.append(one_run(args.runtime, args.root, args.bundle,
                                               f"wlb-{args.name}-{os.getpid()}-{n}"))
                    else:
                        box.ensure()
                        fn = one_pause_resume if op == "pause" else one_exec
                        samples.append(fn(args.runtime, args.root, box.cid))
            except Exception as e:  # noqa: BLE001 - reported to the coordinator
                error = str(e)
            print(json.dumps({"samples": samples, "error": error}), flush=True)
    finally:
        box.teardown()


class Worker:
    def __init__(self, name, path, root, bundle, sleep_bundle, wrap):
        self.name, self.path = name, path
        argv = wrap + [sys.executable, os.path.abspath(__file__), "--worker", "--name", name,
                       "--runtime", path, "--root", root, "--bundle", bundle,
                       "--sleep-bundle", sleep_bundle]
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True)
        self.samples = {}   # op -> [ms]
        self.errors = {}    # op -> first error

    def batch(self, op, count, record=True):
        self.p.stdin.write(f"{op} {count}\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name} worker died")
        r = json.loads(line)
        if record:
            self.samples.setdefault(op, []).extend(r["samples"])
        if r["error"]:
            self.errors.setdefault(op, r["error"])
        return r

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=60)


def percentile(xs, q):
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(round(q / 100 * len(s) + 0.5)) - 1))  # nearest rank
    return s[k]


def crun_wrap(crun, root, bundle, empty):
    """How crun has to be started on this host; returns (wrap argv, description)."""
    def probe(wrap):
        cid = f"wlb-crun-probe-{os.getpid()}"
        p = subprocess.run(wrap + [crun, "--root", root, "run", "--bundle", bundle, cid],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=60)
        return p.returncode, p.stderr.decode(errors="replace").strip()

    rc, err = probe([])
    if rc == 0:
        return [], "crun run as is"
    if "hybrid" not in err:
        return None, f"crun fails here: {err}"
    wrap = ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
            f'mount --bind "$0" {HYBRID_FILE} && exec "$@"', empty]
    rc2, err2 = probe(wrap)
    if rc2 != 0:
        return None, f"crun fails here ({err}), and with the mount workaround too: {err2}"
    how = (f"crun refuses this hybrid host as is (\"{err}\": hugetlb is on the cgroup2 mount); "
           f"it is run in a private mount namespace (unshare -m, propagation private) "
           f"where an empty file is bind-mounted over {HYBRID_FILE}, so crun sees a "
           f"controller-less cgroup2 and uses the v1 controllers like runc; default "
           f"cgroupfs manager, same bundle and config; the host is not changed")
    return wrap, how


OPS = {
    "run": "runtime `run` of a busybox /bin/true bundle (no terminal, default namespaces)",
    "pause": "`pause` + `resume` round trip of a running busybox `sleep` container",
    "exec": "`exec` of /bin/true into a running busybox `sleep` container (no terminal)",
}


def print_table(op, workers, iterations, warmup, rounds, tail_q):
    rows = {}
    for w in workers:
        xs = w.samples.get(op)
        if xs:
            rows[w.name] = (len(xs), percentile(xs, 50), percentile(xs, tail_q),
                            sum(xs) / len(xs), min(xs))
    print(f"{OPS[op]}; {iterations} iterations after {warmup} warm-up, "
          f"{rounds} alternating batches")
    tail = f"p{tail_q} ms"
    hdr = (f"{'runtime':<10}{'n':>6}{'median ms':>11}{tail:>9}{'mean ms':>9}{'min ms':>8}"
           f"{'vs runc':>9}{'vs crun':>9}")
    print(hdr)
    print("-" * len(hdr))
    for name, (n, med, pt, mean, mn) in rows.items():
        vr = f"{med / rows['runc'][1]:.2f}x" if "runc" in rows else "-"
        vc = f"{med / rows['crun'][1]:.2f}x" if "crun" in rows else "-"
        print(f"{name:<10}{n:>6}{med:>11.2f}{pt:>9.2f}{mean:>9.2f}{mn:>8.2f}{vr:>9}{vc:>9}")
    for w in workers:
        if op in w.errors:
            print(f"{w.name}: FAILED: {w.errors[op]}")
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--iterations", "-n", type=int, default=int(os.environ.get("ITERATIONS", 200)),
                    help="`run` iterations per runtime")
    ap.add_argument("--pause-iterations", type=int, default=150,
                    help="pause+resume round trips per runtime (0: skip the table)")
    ap.add_argument("--exec-iterations", type=int, default=150,
                    help="exec /bin/true calls per runtime (0: skip the table)")
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=10,
                    help="iterations are split into this many alternating batches")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--name")
    ap.add_argument("--runtime")
    ap.add_argument("--root")
    ap.add_argument("--bundle")
    ap.add_argument("--sleep-bundle")
    args = ap.parse_args()
    if args.worker:
        return worker(args)

    candidates = [("warmlane", os.environ.get("WARMLANE") or None),
                  ("runc", shutil.which("runc")), ("crun", shutil.which("crun"))]
    plan = [("run", args.iterations, 90), ("pause", args.pause_iterations, 99),
            ("exec", args.exec_iterations, 99)]
    plan = [p for p in plan if p[1] > 0]
    workdir = tempfile.mkdtemp(prefix="wl-bench-", dir="/tmp")
    notes, workers = [], []
    t_start = time.monotonic()
    try:
        bundle = make_bundle(workdir)
        sleep_bundle = make_sleep_bundle(workdir, os.path.join(bundle, "rootfs"))
        empty = os.path.join(workdir, "empty")
        open(empty, "w").close()
        for name, path in candidates:
            if not path:
                notes.append(f"{name}: skipped (" + ("$WARMLANE is not set" if name == "warmlane"
                                                     else "not on PATH") + ")")
                continue
            if not os.access(path, os.X_OK):
                notes.append(f"{name}: skipped ({path} is not executable)")
                continue
            root = os.path.join(workdir, f"root-{name}")
            wrap = []
            if name == "crun":
                wrap, how = crun_wrap(path, root, bundle, empty)
                notes.append(f"crun: {how}")
                if wrap is None:
                    continue
            workers.append(Worker(name, path, root, bundle, sleep_bundle, wrap))

        for op, iterations, _ in plan:
            per_round = [iterations // args.rounds + (1 if i < iterations % args.rounds else 0)
                         for i in range(args.rounds)]
            for w in workers:
                w.batch(op, args.warmup, record=False)
            for count in per_round:
                for w in workers:
                    if op not in w.errors and count:
                        w.batch(op, count)
        for w in workers:
            w.close()
    finally:
        for w in workers:
            if w.p.poll() is None:
                w.p.kill()
                w.p.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)

    for op, iterations, tail_q in plan:
        print_table(op, workers, iterations, args.warmup, args.rounds, tail_q)
    print("(ratios: this runtime's median / runc's or crun's median; lower is faster)")
    print(f"host: {os.cpu_count()} cpus, load average {open('/proc/loadavg').read().split()[:3]} "
          f"at the end (other load skews absolute numbers; compare ratios); "
          f"total {time.monotonic() - t_start:.0f} s")
    for n in notes:
        print("note: " + n)
    return 1 if any(w.errors for w in workers) else 0


if __name__ == "__main__":
    sys.exit(main())
