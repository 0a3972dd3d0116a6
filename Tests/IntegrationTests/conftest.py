"""Fixtures: runtimes under test, the probe, the busybox rootfs, per-test bundles.

WARMLANE_RUNTIMES="name=path,name=path" selects the runtimes; every test
runs once per runtime.  Default: runc from $PATH.
"""
import os
import secrets
import shutil
import subprocess
import tempfile
import json
import time
from pathlib import Path

import pytest

import harness as H

HERE = Path(__file__).resolve().parent


def _runtimes():
    spec = os.environ.get("WARMLANE_RUNTIMES", "").strip()
    if not spec:
        runc = shutil.which("runc")
        if not runc:
            raise pytest.UsageError("WARMLANE_RUNTIMES is unset and runc is not on PATH")
        spec = f"runc={runc}"
    out = []
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise pytest.UsageError(f"WARMLANE_RUNTIMES: bad entry {item!r} (want name=path)")
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            raise pytest.UsageError(f"WARMLANE_RUNTIMES: {name}: {path} is not an executable")
        out.append((name, path))
    return out


RUNTIMES = _runtimes()


def pytest_configure(config):
    if os.geteuid() != 0:
        raise pytest.UsageError("the integration suite must run as root (it creates containers)")


def pytest_report_header(config):
    return "runtimes: " + ", ".join(f"{n}={p}" for n, p in RUNTIMES)


@pytest.fixture(scope="session")
def base_dir():
    # Not pytest's tmp_path: that is 0700, and a container whose root is a
    # mapped uid (user namespace tests) must be able to traverse to its rootfs.
    d = Path(tempfile.mkdtemp(prefix="wl-it-", dir="/tmp"))
    d.chmod(0o755)
    yield d
    leftovers = H.host_mount_lines_mentioning(d)
    for line in reversed(leftovers):
        subprocess.run(["umount", "-l", line.split()[4]], timeout=10)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def probe_bin(base_dir):
    out = base_dir / "probe"
    subprocess.run(["gcc", "-static", "-O2", "-Wall", "-o", str(out), str(HERE / "probe" / "probe.c")],
                   check=True, timeout=120)
    return out


@pytest.fixture(scope="session")
def rootfs_template(base_dir, probe_bin):
    busybox = shutil.which("busybox") or "/bin/busybox"
    root = base_dir / "rootfs-template"
    for d in ("bin", "dev", "proc", "sys", "tmp", "etc", "root", "shared", "mnt"):
        (root / d).mkdir(parents=True)
    (root / "tmp").chmod(0o1777)
    shutil.copy2(busybox, root / "bin" / "busybox")
    shutil.copy2(probe_bin, root / "bin" / "probe")
    applets = subprocess.run([busybox, "--list"], capture_output=True, text=True,
                             check=True, timeout=10).stdout.split()
    for a in applets:
        if a != "busybox" and not (root / "bin" / a).exists():
            (root / "bin" / a).symlink_to("busybox")
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n"
                                         "nobody:x:65534:65534:nobody:/:/bin/false\n")
    (root / "etc" / "group").write_text("root:x:0:\ntty:x:5:\nnogroup:x:65534:\n")
    return root


@pytest.fixture(params=RUNTIMES, ids=[n for n, _ in RUNTIMES])
def runtime_spec(request):
    return request.param


class Ctx:
    """Per-test context: the runtime, unique ids, bundles, helpers, cleanup."""

    def __init__(self, request, name, path, workdir, template):
        self.request = request
        self.workdir = workdir
        self.template = template
        self.rt = H.Runtime(name, path, workdir)
        self.ids = []
        self.helpers = []
        self.cleanups = []
        self._nb = 0
        self.token = secrets.token_hex(3)

    # ---- identity -------------------------------------------------------
    def new_id(self):
        cid = f"it{self.token}{len(self.ids)}"
        self.ids.append(cid)
        return cid

    def known_difference(self, runtime_name, reason):
        """Strict xfail for one runtime, documented in RUNC_DIFFERENCES.md."""
        if self.rt.name == runtime_name:
            self.request.applymarker(pytest.mark.xfail(
                reason=f"{runtime_name}: {reason}", strict=True))

    # ---- bundles --------------------------------------------------------
    def bundle(self, *probe_ops, args=None):
        self._nb += 1
        path = self.workdir / f"bundle{self._nb}"
        path.mkdir()
        shutil.copytree(self.template, path / "rootfs", symlinks=True, copy_function=os.link)
        cfg = H.base_config(args if args is not None else ["/bin/probe", *probe_ops])
        b = H.Bundle(path, cfg)
        b.shared.mkdir()
        b.shared.chmod(0o777)
        b.add_mount("/shared", "bind", b.shared, ["rbind", "rw"])
        return b

    def run_probe(self, bundle, *run_flags, cid=None, expect_rc=0):
        cid = cid or self.new_id()
        bundle.write()
        r = self.rt("run", "--bundle", bundle.path, *run_flags, cid)
        if expect_rc is not None:
            assert r.rc == expect_rc, r
        try:
            return json.loads(r.out)
        except ValueError:
            raise AssertionError(f"probe output is not JSON: {r}")

    def create(self, bundle, cid=None, *flags, stdout_path=None):
        cid = cid or self.new_id()
        bundle.write()
        r = self.rt("create", "--bundle", bundle.path, *flags, cid,
                    stdout_path=stdout_path or (bundle.path / "stdout"))
        assert r.rc == 0, r
        return cid

    def spawn(self, argv):
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        self.helpers.append(p)
        return p

    # ---- cleanup ----------------------------------------------------------
    def cleanup(self):
        problems = []
        for cid in self.ids:
            r = self.rt("delete", "--force", cid, timeout=15)
            if (self.rt.root / cid).exists():
                problems.append(f"state dir for {cid} left after delete --force: {r}")
                shutil.rmtree(self.rt.root / cid, ignore_errors=True)
            pids = H.procs_of_container(cid)
            if pids:
                problems.append(f"processes of {cid} left after delete --force: {pids}")
                H.kill_pids(pids)
            cgs = H.cgroup_dirs_of(cid)
            if cgs:
                problems.append(f"cgroups of {cid} left after delete --force: {cgs}")
                for c in cgs:
                    try:
                        os.rmdir(c)
                    except OSError:
                        pass
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception as e:  # noqa: BLE001 - report, keep cleaning
                problems.append(f"cleanup step failed: {e!r}")
        for p in self.helpers:
            if p.poll() is None:
                os.killpg(p.pid, 9)
            p.wait(timeout=10)
        mounts = H.host_mount_lines_mentioning(self.workdir)
        if mounts:
            problems.append(f"mounts left under {self.workdir}: {mounts}")
            for line in reversed(mounts):
                subprocess.run(["umount", "-l", line.split()[4]], timeout=10)
        return problems


@pytest.fixture
def ctx(request, runtime_spec, base_dir, rootfs_template):
    name, path = runtime_spec
    short = request.node.name.replace("/", "_").replace("[", "-").rstrip("]")[:60]
    workdir = base_dir / f"{short}-{secrets.token_hex(2)}"
    workdir.mkdir()
    workdir.chmod(0o755)
    c = Ctx(request, name, path, workdir, rootfs_template)
    yield c
    problems = c.cleanup()
    if not problems:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        pytest.fail("teardown: " + "; ".join(problems), pytrace=False)
