"""Runtime-agnostic helpers for the Warmlane integration suite.

Everything here drives an OCI runtime binary the way container engines do:
`RUNTIME --root R --log F --log-format json VERB ...`, with a private state
root per test, a timeout on every subprocess and a forced delete of every
container a test created.
"""
import copy
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

DEFAULT_TIMEOUT = 30

CAPS = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
    "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
    "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
    "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
]


def cap_mask(names):
    m = 0
    for n in names:
        m |= 1 << CAPS.index(n)
    return m


DEFAULT_CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]


def base_config(args):
    """A `runc spec`-like default config, built here (not from any runtime)."""
    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": 0, "gid": 0},
            "args": list(args),
            "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "TERM=xterm"],
            "cwd": "/",
            "capabilities": {k: list(DEFAULT_CAPS) for k in
                             ("bounding", "effective", "permitted", "ambient")},
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": True,
        },
        "root": {"path": "rootfs", "readonly": True},
        "hostname": "warmlane-it",
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


class Result:
    def __init__(self, argv, rc, out, err, elapsed):
        self.argv, self.rc, self.out, self.err, self.elapsed = argv, rc, out, err, elapsed

    def __repr__(self):
        return (f"Result(rc={self.rc}, argv={' '.join(map(str, self.argv))!r},\n"
                f"  stdout={self.out[-2000:]!r},\n  stderr={self.err[-2000:]!r})")

    def json(self):
        return json.loads(self.out)


class Runtime:
    """One runtime binary with a private --root and --log."""

    def __init__(self, name, path, workdir: Path):
        self.name, self.path = name, path
        self.workdir = workdir
        self.root = workdir / "state"
        self.log = workdir / "runtime.log"
        self._n = 0

    def argv(self, *args, log_format="json", debug=False, log=True):
        a = [self.path, "--root", str(self.root)]
        if log:
            a += ["--log", str(self.log), "--log-format", log_format]
        if debug:
            a.append("--debug")
        return a + [str(x) for x in args]

    def __call__(self, *args, timeout=DEFAULT_TIMEOUT, stdin=subprocess.DEVNULL,
                 cwd=None, pass_fds=(), preexec_fn=None, log_format="json", debug=False,
                 log=True, stdout_path=None, close_fds=True):
        """Runs the runtime; stdout/stderr go to files, never pipes, because a
        created container inherits them and would keep a pipe open."""
        self._n += 1
        out_p = Path(stdout_path) if stdout_path else self.workdir / f"out.{self._n}"
        err_p = self.workdir / f"err.{self._n}"
        argv = self.argv(*args, log_format=log_format, debug=debug, log=log)
        t0 = time.monotonic()
        with open(out_p, "wb") as o, open(err_p, "wb") as e:
            try:
                p = subprocess.run(argv, stdin=stdin, stdout=o, stderr=e, cwd=cwd,
                                   timeout=timeout, pass_fds=pass_fds, preexec_fn=preexec_fn,
                                   close_fds=close_fds)
                rc = p.returncode
            except subprocess.TimeoutExpired:
                rc = "timeout"
        elapsed = time.monotonic() - t0
        return Result(argv, rc, out_p.read_text(errors="replace") if not stdout_path else "",
                      err_p.read_text(errors="replace"), elapsed)

    def ok(self, *args, **kw):
        r = self(*args, **kw)
        assert r.rc == 0, r
        return r

    def state(self, cid):
        return json.loads(self.ok("state", cid).out)

    def status(self, cid):
        r = self("state", cid)
        if r.rc != 0:
            return None
        return json.loads(r.out)["status"]

    def wait_status(self, cid, want, timeout=10):
        deadline = time.monotonic() + timeout
        st = None
        while time.monotonic() < deadline:
            st = self.status(cid)
            if st == want:
                return
            time.sleep(0.02)
        raise AssertionError(f"{self.name}: {cid} status {st!r}, wanted {want!r}")

    def log_entries(self):
        if not self.log.exists():
            return []
        out = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.strip():
                out.append(json.loads(line))
        return out

    def last_error(self):
        errs = [e for e in self.log_entries() if e.get("level") in ("error", "fatal")]
        return errs[-1]["msg"] if errs else ""

    def failure_text(self, r):
        """What a failed command said: stderr plus the last json log error."""
        try:
            last = self.last_error()
        except ValueError:
            last = ""
        return r.err + "\n" + last


class Bundle:
    def __init__(self, path: Path, config: dict):
        self.path = path
        self.config = config
        self.rootfs = path / "rootfs"
        self.shared = path / "shared"   # bind-mounted at /shared, writable

    @property
    def process(self):
        return self.config["process"]

    @property
    def linux(self):
        return self.config["linux"]

    def add_mount(self, destination, type_="bind", source=None, options=None):
        m = {"destination": destination, "type": type_, "source": str(source or type_)}
        if options is not None:
            m["options"] = options
        self.config["mounts"].append(m)
        return m

    def set_ns(self, type_, path=None):
        nss = [n for n in self.linux["namespaces"] if n["type"] != type_]
        n = {"type": type_}
        if path:
            n["path"] = str(path)
        nss.append(n)
        self.linux["namespaces"] = nss

    def drop_ns(self, type_):
        self.linux["namespaces"] = [n for n in self.linux["namespaces"] if n["type"] != type_]

    def write(self):
        (self.path / "config.json").write_text(json.dumps(self.config, indent=1))
        return self


def mountinfo_entries(lines):
    """Parses mountinfo lines into dicts (mount point, options, propagation)."""
    out = []
    for line in lines:
        left, right = line.split(" - ", 1)
        f = left.split()
        r = right.split()
        out.append({
            "id": f[0], "parent": f[1], "dev": f[2], "root": f[3], "target": f[4],
            "opts": set(f[5].split(",")), "optional": f[6:], "fstype": r[0],
            "source": r[1], "super": set(r[2].split(",")) if len(r) > 2 else set(),
        })
    return out


def mount_at(entries, target):
    """The topmost mount at target (the last one listed)."""
    found = [e for e in entries if e["target"] == target]
    assert found, f"no mount at {target}: {[e['target'] for e in entries]}"
    return found[-1]


def propagation(entry):
    tags = [t.split(":")[0] for t in entry["optional"]]
    if "shared" in tags:
        return "shared"
    if "master" in tags:
        return "slave"
    return "private"


def host_mount_lines_mentioning(path):
    with open("/proc/self/mountinfo") as f:
        return [l for l in f if str(path) in l]


def procs_of_container(cid, bundle=None):
    """Host pids that belong to a container: in a cgroup named after its id,
    or with the bundle path on their command line."""
    found = []
    suffix = "/" + cid
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open(f"/proc/{d}/cgroup") as f:
                cg = f.read()
            with open(f"/proc/{d}/cmdline", "rb") as f:
                cmd = f.read().decode(errors="replace")
            with open(f"/proc/{d}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state == "Z":
            continue  # a zombie of ours; reaped by its parent
        if any(l.endswith(suffix) for l in cg.splitlines()) or \
                (bundle is not None and str(bundle) in cmd):
            found.append(int(d))
    return found


def cgroup_dirs_of(cid):
    """cgroup directories named after the container id (v1 hierarchies + unified)."""
    found = []
    with open("/proc/self/cgroup") as f:
        mine = [l.split(":", 2) for l in f.read().splitlines()]
    bases = set()
    for _, ctrls, path in mine:
        for mnt in (ctrls.replace("name=", "").split(",") if ctrls else ["unified"]):
            base = Path("/sys/fs/cgroup") / mnt
            bases.add(base)
            bases.add(base / path.lstrip("/"))
    for b in bases:
        if (b / cid).exists():
            found.append(str(b / cid))
    return found


def wait_until(pred, timeout=10, interval=0.02, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def kill_pids(pids):
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


# ---- cgroup v1 helpers (test_cgroups.py, test_pause.py, test_exec.py) ------

CGROUP_ROOT = Path("/sys/fs/cgroup")


def cgroup_paths_of_pid(pid):
    """{controller: host directory} for a process, from /proc/PID/cgroup
    (v1 controllers under /sys/fs/cgroup/<ctrl>; `unified` for the 0:: line)."""
    out = {}
    with open(f"/proc/{pid}/cgroup") as f:
        for line in f.read().splitlines():
            _, ctrls, path = line.split(":", 2)
            mnt_names = ctrls.split(",") if ctrls else ["unified"]
            for c in mnt_names:
                c = c.replace("name=", "")
                mnt = CGROUP_ROOT / c
                if not mnt.exists():
                    mnt = CGROUP_ROOT / ctrls.replace("name=", "")
                out[c] = mnt / path.lstrip("/")
    return out


def cg_read(path, name):
    return (Path(path) / name).read_text().strip()


def cg_kv(path, name):
    """A `key value` per line cgroup file (memory.oom_control, cpu.stat, ...)."""
    out = {}
    for line in cg_read(path, name).splitlines():
        k, _, v = line.partition(" ")
        out[k] = int(v) if v.lstrip("-").isdigit() else v
    return out
