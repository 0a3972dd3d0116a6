"""containerd + ctr (runc v2 shim) driving the runtime under test through
`--runc-binary`; plus the shipped shim/config/containerd-config.toml."""
import json
import re
import time
import tomllib
from pathlib import Path

import pytest

import enginelib as E
from conftest import SHIM_CONFIG, containerd_config, start_containerd, stop_containerd

IMAGE_REF = "docker.io/warmlane-test/busybox"
# PID 1 of long-running test containers: exits 0 on TERM (so stop/kill -a are quick).
LONG_RUNNING = ["/bin/sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait"]


def _run_args(containerd, session, runtime, cid):
    return ["--runc-binary", runtime.path,
            "--runc-root", session.base / f"runc-root-{runtime.name}",
            "--cgroup", session.cg("ctr", cid),
            "--fifo-dir", containerd.fifo_dir]


def _task_status(containerd, cid):
    out = containerd.ctr("task", "ls", step="ctr task ls", timeout=20).stdout
    for line in out.splitlines()[1:]:
        f = line.split()
        if f and f[0] == cid:
            return f[2]
    return None


def _wait_status(containerd, cid, want, timeout=15):
    deadline = time.monotonic() + timeout
    st = None
    while time.monotonic() < deadline:
        st = _task_status(containerd, cid)
        if st == want:
            return st
        time.sleep(0.2)
    pytest.fail(f"task {cid}: status {st!r}, want {want!r} after {timeout}s", pytrace=False)


def _freezer_state(session, cid):
    p = Path("/sys/fs/cgroup/freezer") / session.cg("ctr", cid).lstrip("/") / "freezer.state"
    return p.read_text().strip() if p.exists() else None


def _assert_cgroup_removed(session, cid):
    p = Path("/sys/fs/cgroup/memory") / session.cg("ctr", cid).lstrip("/")
    assert not p.exists(), f"container cgroup {p} left after the task was deleted"


def test_run_rootfs(containerd, session, runtime, fresh_rootfs):
    cid = f"run-{runtime.name}"
    rootfs = fresh_rootfs()
    cp = containerd.ctr("run", "--rm", *_run_args(containerd, session, runtime, cid),
                        "--rootfs", rootfs, cid, "/bin/sh", "-c", "echo hello-from-$$",
                        step="ctr run --rm --rootfs")
    assert "hello-from-1" in cp.stdout, cp.stdout  # sh is PID 1 (new pid ns)
    # exit status propagates
    cp = containerd.ctr("run", "--rm", *_run_args(containerd, session, runtime, cid + "-x"),
                        "--rootfs", rootfs, cid + "-x", "/bin/sh", "-c", "exit 3",
                        step="ctr run --rm (exit 3)", check=False)
    assert cp.returncode == 3, f"ctr run exit status {cp.returncode}, want 3; stderr: {cp.stderr}"
    _assert_cgroup_removed(session, cid)


@pytest.fixture(scope="module")
def imported_image(containerd, session, rootfs_template):
    """Hand-made OCI layout tar (busybox, one gzip layer) via ctr images import."""
    tar = session.mkdir("oci-image") / "busybox-oci.tar"
    ref, digest = E.make_oci_archive(rootfs_template, tar, IMAGE_REF)
    containerd.ctr("images", "import", tar, step="ctr images import", timeout=120)
    out = containerd.ctr("images", "ls", step="ctr images ls").stdout
    assert ref in out and digest in out, f"imported image {ref} ({digest}) not listed:\n{out}"
    yield ref
    containerd.ctr("images", "rm", "--sync", ref, check=False, timeout=60)


def test_image_import_and_run(containerd, session, runtime, imported_image):
    cid = f"img-{runtime.name}"
    cp = containerd.ctr("run", "--rm", *_run_args(containerd, session, runtime, cid),
                        imported_image, cid, "/bin/sh", "-c", "echo PATH=$PATH; head -1 /etc/passwd",
                        step="ctr run --rm IMAGE", timeout=90)
    assert "PATH=/usr/sbin:/usr/bin:/sbin:/bin" in cp.stdout, cp.stdout
    assert "root:x:0:0" in cp.stdout
    _assert_cgroup_removed(session, cid)


@pytest.fixture
def task(containerd, session, runtime, fresh_rootfs, request):
    """A detached, running task on a --rootfs container; always deleted."""
    cid = re.sub(r"[^a-zA-Z0-9-]", "-", f"{request.node.originalname[5:]}-{runtime.name}")[:60]
    rootfs = fresh_rootfs()
    try:
        containerd.ctr("run", "-d", *_run_args(containerd, session, runtime, cid), "--rootfs", rootfs,
                       cid, *LONG_RUNNING, step="ctr run -d --rootfs")
        _wait_status(containerd, cid, "RUNNING")
        yield cid
    finally:
        if _task_status(containerd, cid) == "PAUSED":
            containerd.ctr("task", "resume", cid, check=False, timeout=20)
        containerd.ctr("task", "kill", "-a", "-s", "KILL", cid, check=False, timeout=20)
        for _ in range(50):
            if _task_status(containerd, cid) in (None, "STOPPED"):
                break
            time.sleep(0.1)
        containerd.ctr("task", "rm", "-f", cid, check=False, timeout=30)
        containerd.ctr("containers", "rm", cid, check=False, timeout=30)
    _assert_cgroup_removed(session, cid)


def test_task_exec(containerd, task):
    cp = containerd.ctr("task", "exec", "--fifo-dir", containerd.fifo_dir, "--exec-id", "e1", task,
                        "/bin/sh", "-c", "echo exec-ok; cat /proc/1/cmdline | tr '\\0' ' '",
                        step="ctr task exec")
    assert "exec-ok" in cp.stdout and "sleep 300" in cp.stdout, cp.stdout
    cp = containerd.ctr("task", "exec", "--fifo-dir", containerd.fifo_dir, "--exec-id", "e2", task,
                        "/bin/sh", "-c", "exit 4", step="ctr task exec (exit 4)", check=False)
    assert cp.returncode == 4, f"exec exit status {cp.returncode}, want 4; stderr: {cp.stderr}"


def test_task_exec_tty(containerd, task):
    rc, out = E.run_pty(["ctr", "--address", containerd.address, "task", "exec", "-t",
                         "--fifo-dir", containerd.fifo_dir, "--exec-id", "t1", task,
                         "/bin/sh", "-c", "tty; echo tty-ok"], step="ctr task exec -t")
    assert rc == 0 and "/dev/pts/" in out and "tty-ok" in out, f"ctr task exec -t: rc={rc}\n{out}"


def test_task_pause_resume(containerd, session, task):
    containerd.ctr("task", "pause", task, step="ctr task pause")
    assert _task_status(containerd, task) == "PAUSED"
    assert _freezer_state(session, task) == "FROZEN"
    containerd.ctr("task", "resume", task, step="ctr task resume")
    assert _task_status(containerd, task) == "RUNNING"
    assert _freezer_state(session, task) == "THAWED"
    # still alive and responsive after resume
    cp = containerd.ctr("task", "ps", task, step="ctr task ps")
    assert len(cp.stdout.split("\n")) >= 2


def test_task_metrics(containerd, task):
    containerd.ctr("task", "metrics", task, step="ctr task metrics")
    cp = containerd.ctr("task", "metrics", "--format", "json", task, step="ctr task metrics --format json")
    m = json.loads(cp.stdout)
    assert m.get("pids", {}).get("current", 0) >= 2, m.get("pids")   # sh + sleep
    assert m.get("memory", {}).get("usage", {}).get("usage", 0) > 0, m.get("memory")


def test_task_kill_all(containerd, task):
    containerd.ctr("task", "kill", "-a", "-s", "TERM", task, step="ctr task kill -a")
    _wait_status(containerd, task, "STOPPED")
    containerd.ctr("task", "rm", task, step="ctr task rm")
    assert _task_status(containerd, task) is None


# ------------------------------------------------ shim/config/containerd-config.toml

SHIPPED_BINARY = "/usr/local/bin/warmlane"


def test_shipped_containerd_config(session, runtime, fresh_rootfs):
    """Start a private containerd (CRI enabled) from the shipped config with
    BinaryName templated to the runtime under test; the CRI plugin must load
    and expose the handler; then run a container through that binary."""
    text = (SHIM_CONFIG / "containerd-config.toml").read_text()
    shipped = tomllib.loads(text)
    entry = shipped["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]["warmlane"]
    assert entry["runtime_type"] == "io.containerd.runc.v2"
    assert entry["options"]["BinaryName"] == SHIPPED_BINARY
    assert shipped.get("version") == 2
    body = re.sub(r"(?m)^version\s*=\s*2\s*$", "", text).replace(SHIPPED_BINARY, runtime.path)
    private = containerd_config("@DIR@") + """
[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "@DIR@/cni-bin"
  conf_dir = "@DIR@/cni-conf"
""" + body
    merged = tomllib.loads(private.replace("@DIR@", "/x"))
    assert merged["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]["warmlane"]["options"][
        "BinaryName"] == runtime.path
    c = start_containerd(session, f"containerd-cri-{runtime.name}", private)
    try:
        plugins = c.ctr("plugins", "ls", step="ctr plugins ls").stdout
        cri = [ln for ln in plugins.splitlines() if ln.split()[:2] == ["io.containerd.grpc.v1", "cri"]]
        assert cri and cri[0].split()[-1] == "ok", f"CRI plugin did not load:\n{cri}\n{c.daemon.log_tail()}"
        dump = E.run(["containerd", "--config", c.dir / "config.toml", "config", "dump"],
                     step="containerd config dump").stdout
        dumped = tomllib.loads(dump)
        rt = dumped["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]["warmlane"]
        assert rt["runtime_type"] == "io.containerd.runc.v2" and rt["options"]["BinaryName"] == runtime.path
        # No kubelet/crictl here: drive the same runc-v2 shim + BinaryName via ctr.
        cid = f"cfg-{runtime.name}"
        cp = c.ctr("run", "--rm", "--runtime", rt["runtime_type"], "--runc-binary", rt["options"]["BinaryName"],
                   "--runc-root", c.dir / "runc-root", "--cgroup", session.cg("ctr", cid),
                   "--fifo-dir", c.fifo_dir, "--rootfs", fresh_rootfs(), cid, "/bin/echo", "config-ok",
                   step="ctr run (containerd from shipped config)")
        assert "config-ok" in cp.stdout
    finally:
        stop_containerd(c)
