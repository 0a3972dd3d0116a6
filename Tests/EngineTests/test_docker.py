"""dockerd (Debian docker.io) on the session's private containerd, with the
runtimes under test registered through a --config-file built from the
shipped shim/config/daemon.json."""
import json
import os
import time
from pathlib import Path

import pytest

import enginelib as E
from conftest import RUNTIMES, SHIM_CONFIG

DOCKER = "/usr/bin/docker"      # docker.io's CLI (matches the 20.10 daemon)
IMAGE = "wl-eng/busybox:latest"
LONG_RUNNING = ["sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait"]


class Docker:
    def __init__(self, d, daemon, cgroup_parent):
        self.dir, self.daemon, self.cgroup_parent = d, daemon, cgroup_parent
        self.host = f"unix://{d}/docker.sock"
        self.env = dict(os.environ, DOCKER_CONFIG=str(d / "cli"))
        self.env.pop("DOCKER_HOST", None)

    def __call__(self, *args, **kw):
        return E.run([DOCKER, "-H", self.host, *args], env=self.env, **kw)

    def argv(self, *args):
        return [DOCKER, "-H", self.host, *args]


def engine_runtime_name(runtime):
    return f"eng-{runtime.name}"


@pytest.fixture(scope="module")
def dockerd(session, containerd):
    E.require_binary("dockerd", "docker.io")
    E.require_binary(DOCKER, "docker.io")
    d = session.mkdir("dockerd")
    cfg = json.loads((SHIM_CONFIG / "daemon.json").read_text())
    assert cfg["runtimes"]["warmlane"]["path"] == "/usr/local/bin/warmlane"
    # The shipped entry, pointed at $WARMLANE (or, without it, at the first
    # runtime under test so the entry itself is still exercised) ...
    warm = next((r for r in RUNTIMES if r.name == "warmlane"), RUNTIMES[0])
    cfg["runtimes"]["warmlane"]["path"] = warm.path
    # ... plus one entry per runtime under test ("runc" is reserved by dockerd).
    for r in RUNTIMES:
        cfg["runtimes"][engine_runtime_name(r)] = {"path": r.path}
    (d / "daemon.json").write_text(json.dumps(cfg, indent=2))
    cgroup_parent = "/" + session.cgroup + "/docker"
    argv = ["dockerd", "--config-file", d / "daemon.json",
            "--data-root", d / "data", "--exec-root", d / "exec", "--pidfile", d / "docker.pid",
            "-H", f"unix://{d}/docker.sock", "--containerd", containerd.address,
            "--iptables=false", "--ip-masq=false", "--bridge=none", "--cgroup-parent", cgroup_parent,
            "--storage-driver", "overlay2", "--log-level", "info"]
    daemon = E.Daemon("dockerd", argv, d / "dockerd.log")
    dk = Docker(d, daemon, cgroup_parent)
    daemon.start(lambda: Path(d / "docker.sock").is_socket() and
                 E.run(dk.argv("version"), check=False, timeout=10, env=dk.env).returncode == 0, timeout=60)
    try:
        yield dk
    finally:
        try:
            ids = dk("ps", "-aq", check=False, timeout=30).stdout.split()
            if ids:
                dk("rm", "-f", *ids, check=False, timeout=60)
            dk("rmi", "-f", IMAGE, check=False, timeout=60)
        finally:
            daemon.stop(timeout=30)
            E.unmount_all(str(d))


@pytest.fixture(scope="module")
def image(dockerd, session, rootfs_template):
    tar = session.mkdir("docker-import") / "rootfs.tar"
    tar.write_bytes(E._deterministic_tar(rootfs_template))
    dockerd("import", tar, IMAGE, step="docker import", timeout=120)
    return IMAGE


def _inspect(dockerd, name):
    return json.loads(dockerd("inspect", name, step="docker inspect").stdout)[0]


def _cgroup_file(dockerd, cid, ctrl, fname):
    return Path("/sys/fs/cgroup") / ctrl / dockerd.cgroup_parent.lstrip("/") / cid / fname


def test_run_rm(dockerd, image, runtime):
    cp = dockerd("run", "--rm", "--runtime", engine_runtime_name(runtime), "--network", "none", image,
                 "sh", "-c", "echo docker-ok pid=$$", step="docker run --rm", timeout=90)
    assert "docker-ok pid=1" in cp.stdout, cp.stdout
    cp = dockerd("run", "--rm", "--runtime", engine_runtime_name(runtime), "--network", "none", image,
                 "sh", "-c", "exit 5", step="docker run --rm (exit 5)", check=False, timeout=90)
    assert cp.returncode == 5, f"docker run exit status {cp.returncode}, want 5; stderr: {cp.stderr}"


def test_shipped_daemon_json_entry(dockerd, image):
    """`--runtime warmlane`: the runtime name from shim/config/daemon.json."""
    info = json.loads(dockerd("info", "--format", "{{json .Runtimes}}", step="docker info").stdout)
    assert "warmlane" in info, info
    cp = dockerd("run", "--rm", "--runtime", "warmlane", "--network", "none", image, "echo", "daemon-json-ok",
                 step="docker run --runtime warmlane (shipped daemon.json)", timeout=90)
    assert "daemon-json-ok" in cp.stdout


@pytest.fixture
def container(dockerd, image, runtime, request):
    name = f"{request.node.originalname[5:]}-{runtime.name}".replace("_", "-")
    try:
        dockerd("run", "-d", "--name", name, "--runtime", engine_runtime_name(runtime), "--network", "none",
                image, *LONG_RUNNING, step="docker run -d", timeout=90)
        st = _inspect(dockerd, name)["State"]
        assert st["Running"], st
        yield name
    finally:
        dockerd("rm", "-f", name, check=False, timeout=60)


def test_exec(dockerd, container):
    cp = dockerd("exec", container, "sh", "-c", "echo exec-ok; cat /proc/1/cmdline | tr '\\0' ' '",
                 step="docker exec")
    assert "exec-ok" in cp.stdout and "trap" in cp.stdout, cp.stdout
    cp = dockerd("exec", container, "sh", "-c", "exit 6", step="docker exec (exit 6)", check=False)
    assert cp.returncode == 6, f"docker exec exit status {cp.returncode}, want 6; stderr: {cp.stderr}"


def test_exec_tty(dockerd, container):
    rc, out = E.run_pty(dockerd.argv("exec", "-t", container, "sh", "-c", "tty; echo tty-ok"),
                        step="docker exec -t", env=dockerd.env)
    assert rc == 0 and "/dev/pts/" in out and "tty-ok" in out, f"docker exec -t: rc={rc}\n{out}"


def test_pause_unpause(dockerd, container):
    dockerd("pause", container, step="docker pause")
    st = _inspect(dockerd, container)
    assert st["State"]["Paused"], st["State"]
    assert _cgroup_file(dockerd, st["Id"], "freezer", "freezer.state").read_text().strip() == "FROZEN"
    dockerd("unpause", container, step="docker unpause")
    st = _inspect(dockerd, container)
    assert not st["State"]["Paused"] and st["State"]["Running"], st["State"]
    assert _cgroup_file(dockerd, st["Id"], "freezer", "freezer.state").read_text().strip() == "THAWED"
    dockerd("exec", container, "true", step="docker exec after unpause")


def test_stats(dockerd, container):
    cp = dockerd("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}} {{.PIDs}}", container,
                 step="docker stats --no-stream", timeout=60)
    name, *_, pids = cp.stdout.split()
    assert name == container and int(pids) >= 2, cp.stdout


def test_update_memory(dockerd, container):
    dockerd("update", "--memory", "64m", "--memory-swap", "128m", container, step="docker update --memory")
    st = _inspect(dockerd, container)
    assert st["HostConfig"]["Memory"] == 64 << 20, st["HostConfig"]["Memory"]
    got = int(_cgroup_file(dockerd, st["Id"], "memory", "memory.limit_in_bytes").read_text())
    assert got == 64 << 20, f"memory.limit_in_bytes {got}, want {64 << 20}"


def test_stop(dockerd, container):
    t0 = time.monotonic()
    dockerd("stop", "-t", "10", container, step="docker stop", timeout=60)
    took = time.monotonic() - t0
    st = _inspect(dockerd, container)
    assert not st["State"]["Running"] and st["State"]["ExitCode"] == 0, st["State"]
    assert took < 8, f"docker stop took {took:.1f}s: SIGTERM did not reach the container's PID 1"
    assert not _cgroup_file(dockerd, st["Id"], "memory", "").exists(), "container cgroup left after stop"
