"""podman (Debian 4.3) with private storage/run/tmp dirs and a private
containers.conf (CONTAINERS_CONF: podman reads only that file), driving the
runtime under test with `--runtime PATH`; plus the shipped
shim/config/containers.conf runtime entry."""
import json
import os
import re
import time
import tomllib
from pathlib import Path

import pytest

import enginelib as E
from conftest import SHIM_CONFIG

# This VM's bounding set lacks CAP_SYS_RESOURCE: podman's default rlimits
# would need it, so pin them below the current hard limits.
ULIMITS = ["--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768"]
LONG_RUNNING = ["sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait"]
SHIPPED_PATH = "/usr/local/bin/warmlane"


class Podman:
    def __init__(self, session, d):
        self.session, self.dir = session, d
        self.cgroup_parent = session.cg("podman")
        self.engine_keys = f"""cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "{d}/events.log"
tmp_dir = "{d}/tmp"
volume_path = "{d}/volumes"
"""
        self.conf = d / "containers.conf"
        self.conf.write_text(f"""[network]
network_config_dir = "{d}/net"
cni_plugin_dirs = ["/usr/lib/cni"]

[engine]
{self.engine_keys}""")
        (d / "storage.conf").write_text(f"""[storage]
driver = "vfs"
runroot = "{d}/runroot"
graphroot = "{d}/root"
""")
        self.env = dict(os.environ, CONTAINERS_CONF=str(self.conf),
                        CONTAINERS_STORAGE_CONF=str(d / "storage.conf"),
                        CONTAINERS_REGISTRIES_CONF=str(d / "registries.conf"))
        (d / "registries.conf").write_text("unqualified-search-registries = []\n")

    def argv(self, runtime, *args):
        return ["podman", "--root", self.dir / "root", "--runroot", self.dir / "runroot",
                "--tmpdir", self.dir / "tmp", "--cgroup-manager", "cgroupfs",
                "--events-backend=file", "--runtime", runtime, *args]

    def __call__(self, runtime, *args, env=None, **kw):
        return E.run(self.argv(runtime, *args), env=env or self.env, **kw)

    def run_args(self, rootfs):
        return ["--network", "none", *ULIMITS, "--cgroup-parent", self.cgroup_parent, "--rootfs", rootfs]


@pytest.fixture(scope="module")
def podman(session):
    E.require_binary("podman", "podman")
    E.require_binary("conmon", "conmon")
    p = Podman(session, session.mkdir("podman"))
    yield p
    # Remove whatever a failed test left (any runtime path works for rm -f
    # of stopped containers; use runc when present, as podman needs one).
    import shutil
    rt = shutil.which("runc") or "runc"
    ids = E.run(p.argv(rt, "ps", "-aq"), env=p.env, check=False, timeout=30).stdout.split()
    if ids:
        E.run(p.argv(rt, "rm", "-f", "-t", "0", *ids), env=p.env, check=False, timeout=60)
    E.unmount_all(str(p.dir))


def test_run_rm(podman, runtime, fresh_rootfs):
    rootfs = fresh_rootfs()
    cp = podman(runtime.path, "run", "--rm", *podman.run_args(rootfs), "sh", "-c",
                "echo podman-ok pid=$$; ulimit -n", step="podman run --rm --rootfs", timeout=90)
    assert "podman-ok pid=1" in cp.stdout and "20000" in cp.stdout, cp.stdout
    cp = podman(runtime.path, "run", "--rm", *podman.run_args(rootfs), "sh", "-c", "exit 7",
                step="podman run --rm (exit 7)", check=False, timeout=90)
    assert cp.returncode == 7, f"podman run exit status {cp.returncode}, want 7; stderr: {cp.stderr}"


@pytest.fixture
def container(podman, runtime, fresh_rootfs, request):
    name = f"{request.node.originalname[5:]}-{runtime.name}".replace("_", "-")
    try:
        podman(runtime.path, "run", "-d", "--name", name, *podman.run_args(fresh_rootfs()), *LONG_RUNNING,
               step="podman run -d", timeout=90)
        yield name
    finally:
        podman(runtime.path, "rm", "-f", "-t", "0", name, check=False, timeout=60)


def _state(podman, runtime, name):
    return json.loads(podman(runtime.path, "inspect", name, step="podman inspect").stdout)[0]["State"]


def test_exec(podman, runtime, container):
    cp = podman(runtime.path, "exec", container, "sh", "-c", "echo exec-ok", step="podman exec")
    assert "exec-ok" in cp.stdout
    rc, out = E.run_pty(podman.argv(runtime.path, "exec", "-t", container, "sh", "-c", "tty; echo tty-ok"),
                        step="podman exec -t", env=podman.env)
    assert rc == 0 and "/dev/pts/" in out and "tty-ok" in out, f"podman exec -t: rc={rc}\n{out}"


def test_pause_unpause(podman, runtime, container):
    podman(runtime.path, "pause", container, step="podman pause")
    assert _state(podman, runtime, container)["Status"] == "paused"
    podman(runtime.path, "unpause", container, step="podman unpause")
    assert _state(podman, runtime, container)["Status"] == "running"


def test_stop(podman, runtime, container):
    t0 = time.monotonic()
    podman(runtime.path, "stop", "-t", "10", container, step="podman stop", timeout=60)
    took = time.monotonic() - t0
    st = _state(podman, runtime, container)
    assert st["Status"] == "exited" and st["ExitCode"] == 0, st
    assert took < 8, f"podman stop took {took:.1f}s: SIGTERM did not reach the container's PID 1"


def test_shipped_containers_conf(podman, runtime, fresh_rootfs):
    """CONTAINERS_CONF = shipped containers.conf (+ this session's private
    engine keys), its warmlane path templated to the runtime under test;
    podman resolves `--runtime warmlane` through [engine.runtimes]."""
    text = (SHIM_CONFIG / "containers.conf").read_text()
    shipped = tomllib.loads(text)
    assert SHIPPED_PATH in shipped["engine"]["runtimes"]["warmlane"], shipped
    assert len(re.findall(r"(?m)^\[engine\]\s*$", text)) == 1
    conf = re.sub(r"(?m)^\[engine\]\s*$", "[engine]\n" + podman.engine_keys, text)
    conf = conf.replace(f'"{SHIPPED_PATH}"', f'"{runtime.path}"')
    conf = f'[network]\nnetwork_config_dir = "{podman.dir}/net"\n\n' + conf
    assert tomllib.loads(conf)["engine"]["runtimes"]["warmlane"][0] == runtime.path
    path = podman.dir / f"containers-shipped-{runtime.name}.conf"
    path.write_text(conf)
    env = dict(podman.env, CONTAINERS_CONF=str(path))
    cp = podman("warmlane", "info", "--format", "{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}",
                env=env, step="podman --runtime warmlane info")
    assert cp.stdout.split() == ["warmlane", runtime.path], cp.stdout
    cp = podman("warmlane", "run", "--rm", *podman.run_args(fresh_rootfs()), "echo", "conf-ok",
                env=env, step="podman --runtime warmlane run (shipped containers.conf)", timeout=90)
    assert "conf-ok" in cp.stdout
