"""Engine tests: podman, containerd (ctr), dockerd and the Kubernetes
RuntimeClass, each driving an OCI runtime given as a path.

Runtimes: ENGINE_RUNTIMES="name=path,..." or, by default, runc from $PATH
plus warmlane=$WARMLANE when WARMLANE is set.  Every engine is started
privately (own root/state/socket under /tmp/wl-eng-*) and everything is
cleaned up at the end; the session fails if anything was left behind.
"""
import collections
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import enginelib as E

REPO = Path(__file__).resolve().parents[2]
SHIM_CONFIG = REPO / "shim" / "config"

Runtime = collections.namedtuple("Runtime", "name path")


def _runtimes():
    spec = os.environ.get("ENGINE_RUNTIMES", "").strip()
    if not spec:
        items = []
        runc = shutil.which("runc")
        if runc:
            items.append(f"runc={runc}")
        if os.environ.get("WARMLANE"):
            items.append(f"warmlane={os.environ['WARMLANE']}")
        if not items:
            raise pytest.UsageError("no runtime: runc is not on PATH and WARMLANE/ENGINE_RUNTIMES are unset")
        spec = ",".join(items)
    out = []
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise pytest.UsageError(f"ENGINE_RUNTIMES: bad entry {item!r} (want name=path)")
        path = os.path.realpath(path)
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            raise pytest.UsageError(f"ENGINE_RUNTIMES: {name}: {path} is not an executable")
        out.append(Runtime(name, path))
    return out


RUNTIMES = _runtimes()


def pytest_configure(config):
    if os.geteuid() != 0:
        raise pytest.UsageError("the engine tests must run as root (they start container engines)")


def pytest_report_header(config):
    return "engine runtimes: " + ", ".join(f"{r.name}={r.path}" for r in RUNTIMES)


def pytest_generate_tests(metafunc):
    if "runtime" in metafunc.fixturenames:
        metafunc.parametrize("runtime", RUNTIMES, ids=[r.name for r in RUNTIMES], scope="module")


# ---------------------------------------------------------------- session

class Session:
    def __init__(self, base, cgroup):
        self.base = base          # private directory, marker for leftovers
        self.cgroup = cgroup      # private top-level cgroup name
        self._n = 0

    def mkdir(self, name):
        self._n += 1
        d = self.base / f"{name}-{self._n}"
        d.mkdir(parents=True)
        return d

    def cg(self, *parts):
        return "/" + "/".join((self.cgroup,) + parts)


_RUN_DIRS = ("/run/containerd", "/run/docker", "/run/podman", "/run/libpod", "/run/containers",
             "/var/lib/containers", "/var/lib/docker", "/var/lib/containerd")


@pytest.fixture(scope="session")
def session():
    base = Path(tempfile.mkdtemp(prefix="wl-eng-", dir="/tmp"))
    base.chmod(0o755)
    cg = f"wl-eng-{secrets.token_hex(4)}"
    pre_existing = {d for d in _RUN_DIRS if os.path.exists(d)}
    netns_before = set(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else set()
    s = Session(base, cg)
    yield s

    problems = []
    # Processes still running from this session (shims, conmon, daemons).
    procs = E.processes_mentioning(str(base))
    if procs:
        problems.append("processes left running: " + "; ".join(f"{p} {c[:150]}" for p, c in procs))
        E.kill_pids([p for p, _ in procs])
    problems += E.cleanup_cgroup(cg)
    left = E.unmount_all(str(base))
    if left:
        problems.append(f"mounts left under {base}: {left}")
    # Default host state dirs the engines create even when pointed elsewhere
    # (shim sockets in /run/containerd/s, dockerd's /run/docker/plugins):
    # remove them when this session created them and they hold nothing.
    for d in _RUN_DIRS:
        if d in pre_existing or not os.path.exists(d):
            continue
        files = [os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs]
        if files:
            problems.append(f"{d} (created by this session) still holds {files[:5]}")
        else:
            shutil.rmtree(d, ignore_errors=True)
    netns_after = set(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else set()
    if netns_after - netns_before:
        problems.append(f"new network namespaces left in /run/netns: {sorted(netns_after - netns_before)}")
    left = E.unmount_all(str(base))
    shutil.rmtree(base, ignore_errors=True)
    if problems:
        pytest.fail("engine session left state behind (cleaned up now):\n  " + "\n  ".join(problems),
                    pytrace=False)


@pytest.fixture(scope="session")
def rootfs_template(session):
    return E.make_busybox_rootfs(session.base / "rootfs-template")


@pytest.fixture
def fresh_rootfs(session, rootfs_template):
    """A writable copy of the busybox rootfs per call (engines write into
    --rootfs directories: /etc/hosts, /run/.containerenv, ...)."""
    def make(name="rootfs"):
        d = session.mkdir(name)
        dest = d / "rootfs"
        shutil.copytree(rootfs_template, dest, symlinks=True)
        return dest
    return make


# ---------------------------------------------------------------- containerd

def containerd_config(d, extra=""):
    """A private containerd config: root, state, sockets, opt under d."""
    return f"""version = 2
root = "{d}/root"
state = "{d}/state"
{extra}
[grpc]
  address = "{d}/containerd.sock"

[ttrpc]
  address = "{d}/containerd.sock.ttrpc"

[debug]
  address = "{d}/debug.sock"
  level = "info"

[plugins."io.containerd.internal.v1.opt"]
  path = "{d}/opt"
"""


class Containerd:
    def __init__(self, session, d, daemon):
        self.session, self.dir, self.daemon = session, d, daemon
        self.address = str(d / "containerd.sock")
        self.fifo_dir = d / "fifo"

    def ctr(self, *args, namespace="default", **kw):
        return E.run(["ctr", "--address", self.address, "--namespace", namespace, *args], **kw)

    def remove_all(self, namespace="default"):
        """Kill and delete every task/container in namespace (teardown)."""
        problems = []
        cp = self.ctr("task", "ls", "-q", namespace=namespace, check=False, timeout=20)
        for tid in cp.stdout.split():
            self.ctr("task", "resume", tid, namespace=namespace, check=False, timeout=20)
            self.ctr("task", "kill", "-a", "-s", "KILL", tid, namespace=namespace, check=False, timeout=20)
            problems.append(f"task {tid} still present")
        time.sleep(0.3 if cp.stdout.split() else 0)
        for tid in cp.stdout.split():
            self.ctr("task", "rm", "-f", tid, namespace=namespace, check=False, timeout=30)
        cp = self.ctr("containers", "ls", "-q", namespace=namespace, check=False, timeout=20)
        for cid in cp.stdout.split():
            self.ctr("containers", "rm", cid, namespace=namespace, check=False, timeout=30)
        return problems


def start_containerd(session, name, config_text):
    E.require_binary("containerd", "containerd")
    E.require_binary("ctr", "containerd")
    E.require_binary("containerd-shim-runc-v2", "containerd")
    d = session.mkdir(name)
    (d / "config.toml").write_text(config_text.replace("@DIR@", str(d)))
    daemon = E.Daemon(name, ["containerd", "--config", d / "config.toml"], d / "containerd.log")
    c = Containerd(session, d, daemon)

    def ready():
        return Path(c.address).is_socket() and subprocess.run(
            ["ctr", "--address", c.address, "version"], capture_output=True, timeout=5).returncode == 0

    daemon.start(ready)
    return c


def stop_containerd(c, namespaces=("default",)):
    problems = []
    try:
        for ns in namespaces:
            problems += c.remove_all(ns)
    finally:
        c.daemon.stop()
        E.unmount_all(str(c.dir))
    return problems


@pytest.fixture(scope="session")
def containerd(session):
    """A private containerd (CRI plugin disabled) for the ctr and docker tests."""
    c = start_containerd(session, "containerd",
                         containerd_config("@DIR@", 'disabled_plugins = ["io.containerd.grpc.v1.cri"]'))
    yield c
    stop_containerd(c, namespaces=("default", "moby"))
