#!/usr/bin/env python3
"""Runtime benchmark: `RUNTIME --root R run` of a trivial busybox /bin/true
bundle (no terminal, default namespaces), for warmlane, runc and crun.

Prints a table (median, p90 in ms, ratios vs runc and vs crun).  Each runtime
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


def base_config():
    caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False, "user": {"uid": 0, "gid": 0}, "args": ["/bin/true"],
            "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "TERM=xterm"],
            "cwd": "/",
            "capabilities": {k: caps for k in ("bounding", "effective", "permitted", "ambient")},
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": True,
        },
        "root": {"path": "rootfs", "readonly": True},
        "hostname": "bench",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
            {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
             "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
            {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
             "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs",
             "options": ["nosuid", "noexec", "nodev", "ro"]},
            {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
             "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
        ],
        "linux": {
            "resources": {"devices": [{"allow": False, "access": "rwm"}]},
            "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
            "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                            "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
            "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                              "/proc/sysrq-trigger"],
        },
    }


def make_bundle(workdir):
    bundle = os.path.join(workdir, "bundle")
    rootfs = os.path.join(bundle, "rootfs")
    for d in ("bin", "dev", "proc", "sys", "tmp", "etc"):
        os.makedirs(os.path.join(rootfs, d))
    busybox = shutil.which("busybox") or "/bin/busybox"
    shutil.copy2(busybox, os.path.join(rootfs, "bin", "busybox"))
    for applet in ("true", "sh"):
        os.symlink("busybox", os.path.join(rootfs, "bin", applet))
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(base_config(), f, indent=1)
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


def worker(args):
    """Reads batch sizes on stdin, answers one JSON line per batch."""
    n = 0
    for line in sys.stdin:
        count = int(line)
        samples, error = [], None
        try:
            for _ in range(count):
                n += 1
                samples.append(one_run(args.runtime, args.root, args.bundle,
                                       f"wlb-{args.name}-{os.getpid()}-{n}"))
        except Exception as e:  # noqa: BLE001 - reported to the coordinator
            error = str(e)
        print(json.dumps({"samples": samples, "error": error}), flush=True)


class Worker:
    def __init__(self, name, path, root, bundle, wrap):
        self.name, self.path = name, path
        argv = wrap + [sys.executable, os.path.abspath(__file__), "--worker", "--name", name,
                       "--runtime", path, "--root", root, "--bundle", bundle]
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True)
        self.samples = []
        self.error = None

    def batch(self, count, record=True):
        self.p.stdin.write(f"{count}\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name} worker died")
        r = json.loads(line)
        if record:
            self.samples += r["samples"]
        if r["error"]:
            self.error = r["error"]
        return r

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=30)


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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--iterations", "-n", type=int, default=int(os.environ.get("ITERATIONS", 200)))
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=10,
                    help="iterations are split into this many alternating batches")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--name")
    ap.add_argument("--runtime")
    ap.add_argument("--root")
    ap.add_argument("--bundle")
    args = ap.parse_args()
    if args.worker:
        return worker(args)

    candidates = [("warmlane", os.environ.get("WARMLANE") or None),
                  ("runc", shutil.which("runc")), ("crun", shutil.which("crun"))]
    workdir = tempfile.mkdtemp(prefix="wl-bench-", dir="/tmp")
    notes, workers = [], []
    try:
        bundle = make_bundle(workdir)
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
            workers.append(Worker(name, path, root, bundle, wrap))

        per_round = [args.iterations // args.rounds + (1 if i < args.iterations % args.rounds else 0)
                     for i in range(args.rounds)]
        for w in workers:
            w.batch(args.warmup, record=False)
        for count in per_round:
            for w in workers:
                if w.error is None and count:
                    w.batch(count)
        for w in workers:
            w.close()
    finally:
        for w in workers:
            if w.p.poll() is None:
                w.p.kill()
        shutil.rmtree(workdir, ignore_errors=True)

    rows = {}
    for w in workers:
        if w.error:
            notes.append(f"{w.name}: FAILED: {w.error}")
        if w.samples:
            rows[w.name] = (len(w.samples), percentile(w.samples, 50), percentile(w.samples, 90),
                            sum(w.samples) / len(w.samples), min(w.samples))
    print(f"runtime `run` of a busybox /bin/true bundle (no terminal, default namespaces); "
          f"{args.iterations} iterations after {args.warmup} warm-up, {args.rounds} alternating batches")
    hdr = f"{'runtime':<10}{'n':>6}{'median ms':>11}{'p90 ms':>9}{'mean ms':>9}{'min ms':>8}{'vs runc':>9}{'vs crun':>9}"
    print(hdr)
    print("-" * len(hdr))
    for name, (n, med, p90, mean, mn) in rows.items():
        vr = f"{med / rows['runc'][1]:.2f}x" if "runc" in rows else "-"
        vc = f"{med / rows['crun'][1]:.2f}x" if "crun" in rows else "-"
        print(f"{name:<10}{n:>6}{med:>11.2f}{p90:>9.2f}{mean:>9.2f}{mn:>8.2f}{vr:>9}{vc:>9}")
    print("(ratios: this runtime's median / runc's or crun's median; lower is faster)")
    print(f"host: {os.cpu_count()} cpus, load average {open('/proc/loadavg').read().split()[:3]} "
          f"at the end (other load skews absolute numbers; compare ratios)")
    for n in notes:
        print("note: " + n)
    return 1 if any(w.error for w in workers) else 0


if __name__ == "__main__":
    sys.exit(main())
