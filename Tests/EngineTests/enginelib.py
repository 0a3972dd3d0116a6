"""Helpers shared by the engine tests: subprocess calls with timeouts and
readable failures, private daemons, leftover detection/cleanup, OCI image
layout tars.  Nothing here kills a process it cannot tie to this session
(its pid was started here, or its cmdline/cgroup names this session's
private directory or cgroup)."""
import gzip
import hashlib
import io
import json
import os
import signal
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

CGROUP_ROOT = Path("/sys/fs/cgroup")
DEFAULT_TIMEOUT = 60


def _tail(text, n=2000):
    text = text or ""
    return text if len(text) <= n else "..." + text[-n:]


def run(argv, *, step=None, timeout=DEFAULT_TIMEOUT, check=True, env=None,
        input=None, stdin=subprocess.DEVNULL, cwd=None):
    """Run argv; on a non-zero exit (check=True) or a timeout, fail the test
    with the step name, the command and the engine's own stderr/stdout."""
    argv = [str(a) for a in argv]
    label = step or " ".join(argv[:3])
    try:
        cp = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                            env=env, input=input, stdin=None if input is not None else stdin,
                            cwd=cwd)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        pytest.fail(f"step {label!r} timed out after {timeout}s\n  cmd: {' '.join(argv)}\n"
                    f"  stdout: {_tail(out)}\n  stderr: {_tail(err)}", pytrace=False)
    if check and cp.returncode != 0:
        pytest.fail(f"step {label!r} failed (rc={cp.returncode})\n  cmd: {' '.join(argv)}\n"
                    f"  stderr: {_tail(cp.stderr)}\n  stdout: {_tail(cp.stdout)}", pytrace=False)
    return cp


def run_pty(argv, *, step=None, timeout=DEFAULT_TIMEOUT, env=None):
    """Run argv with a pseudo-terminal as stdin/stdout/stderr (for `-t`).
    Returns (returncode, output)."""
    import pty
    import select
    argv = [str(a) for a in argv]
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                             start_new_session=True)
    finally:
        os.close(slave)
    buf = b""
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                p.kill()
                p.wait(10)
                pytest.fail(f"step {step or argv[:3]!r} timed out after {timeout}s\n"
                            f"  cmd: {' '.join(argv)}\n  output: {_tail(buf.decode(errors='replace'))}",
                            pytrace=False)
            r, _, _ = select.select([master], [], [], min(left, 0.5))
            if r:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: every slave fd closed
                    chunk = b""
                if not chunk:
                    break
                buf += chunk
            elif p.poll() is not None:
                break
        rc = p.wait(max(1, deadline - time.monotonic()))
    finally:
        os.close(master)
    return rc, buf.decode(errors="replace").replace("\r\n", "\n")


def require_binary(path_or_name, package):
    """Engines that are missing are a FAILURE (CI must run these flows)."""
    import shutil
    p = path_or_name if os.path.isabs(path_or_name) else shutil.which(path_or_name)
    if not p or not os.access(p, os.X_OK):
        pytest.fail(f"{path_or_name} is not installed (Debian package {package}); "
                    f"scripts/test-engines.sh installs it", pytrace=False)
    return p


class Daemon:
    """A daemon this session started: Popen'd in its own session, output to
    a log file, stopped by its pid only (TERM, then KILL)."""

    def __init__(self, name, argv, log_path, env=None):
        self.name, self.argv, self.log_path, self.env = name, [str(a) for a in argv], Path(log_path), env
        self.proc = None

    def log_tail(self, n=3000):
        try:
            return _tail(self.log_path.read_text(errors="replace"), n)
        except OSError:
            return "(no log)"

    def start(self, ready, timeout=40):
        logf = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=logf,
                                         stderr=subprocess.STDOUT, env=self.env,
                                         start_new_session=True)
        except OSError as e:
            pytest.fail(f"{self.name} could not be started: {e}", pytrace=False)
        finally:
            logf.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"{self.name} exited during startup (rc={self.proc.returncode})\n"
                            f"  cmd: {' '.join(self.argv)}\n  log:\n{self.log_tail()}", pytrace=False)
            try:
                if ready():
                    return self
            except Exception:
                pass
            time.sleep(0.2)
        self.stop()
        pytest.fail(f"{self.name} did not become ready in {timeout}s\n  cmd: {' '.join(self.argv)}\n"
                    f"  log:\n{self.log_tail()}", pytrace=False)

    def stop(self, timeout=20):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


# ---------------------------------------------------------------- leftovers

def _read(path):
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def processes_mentioning(marker):
    """Pids (not ours) whose cmdline or cwd mention marker (a private dir)."""
    out = []
    me = os.getpid()
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) == me:
            continue
        try:
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if not cmd:
            continue  # kernel thread or zombie
        cwd = ""
        try:
            cwd = os.readlink(d / "cwd")
        except OSError:
            pass
        if marker in cmd or cwd.startswith(marker):
            out.append((int(d.name), cmd.strip()))
    return out


def kill_pids(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() and
                                              "Z" not in _read(f"/proc/{p}/stat").split(")")[-1][:3]
                                              for p in pids):
        time.sleep(0.1)


def mounts_under(prefix):
    """Mount points (deepest first) at or below prefix."""
    pts = []
    for line in _read("/proc/self/mountinfo").splitlines():
        mp = line.split()[4].replace("\\040", " ")
        if mp == prefix or mp.startswith(prefix.rstrip("/") + "/"):
            pts.append(mp)
    return sorted(set(pts), key=len, reverse=True)


def unmount_all(prefix):
    left = mounts_under(prefix)
    for mp in left:
        subprocess.run(["umount", "-l", mp], timeout=15, capture_output=True)
    return left


def cgroup_dirs(name):
    """Every directory of cgroup `name` (e.g. 'wl-eng-1234') in every v1
    hierarchy and the unified one, deepest first."""
    dirs = []
    for h in CGROUP_ROOT.iterdir():
        top = h / name
        if top.is_dir():
            for root, subdirs, _ in os.walk(top):
                dirs.append(Path(root))
    return sorted(dirs, key=lambda p: len(p.parts), reverse=True)


def cleanup_cgroup(name):
    """Thaw, empty (KILL the processes inside: they are containers this
    session started) and remove cgroup `name` everywhere.  Returns a list of
    problems: leaf cgroups that still held processes."""
    problems = []
    dirs = cgroup_dirs(name)
    for d in dirs:
        st = d / "freezer.state"
        if st.exists() and _read(st).strip() != "THAWED":
            try:
                st.write_text("THAWED")
            except OSError:
                pass
    for d in dirs:
        procs = [int(p) for p in _read(d / "cgroup.procs").split()]
        if procs:
            problems.append(f"{d}: processes {procs} still running")
            kill_pids(procs)
    for d in dirs:
        for _ in range(50):
            try:
                d.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.1)
        else:
            problems.append(f"{d}: could not be removed")
    return problems


def leaf_cgroups(name, keep=()):
    """Container cgroups (leaves) left under cgroup `name` in the memory
    hierarchy, ignoring directories named in keep (engine-made parents)."""
    base = CGROUP_ROOT / "memory" / name
    out = []
    if base.is_dir():
        for root, subdirs, _ in os.walk(base):
            if not subdirs and Path(root) != base and Path(root).name not in keep:
                out.append(str(Path(root).relative_to(base)))
    return out


# ---------------------------------------------------------------- rootfs / images

BUSYBOX_DIRS = ("bin", "dev", "proc", "sys", "tmp", "etc", "root", "run", "var", "mnt")


def make_busybox_rootfs(dest):
    import shutil
    busybox = shutil.which("busybox")
    if not busybox:
        pytest.fail("busybox is not installed (apt-get install busybox-static)", pytrace=False)
    dest = Path(dest)
    for d in BUSYBOX_DIRS:
        (dest / d).mkdir(parents=True, exist_ok=True)
    (dest / "tmp").chmod(0o1777)
    shutil.copy2(busybox, dest / "bin" / "busybox")
    applets = subprocess.run([busybox, "--list"], capture_output=True, text=True,
                             timeout=10, check=True).stdout.split()
    for a in applets:
        link = dest / "bin" / a
        if a != "busybox" and not link.exists():
            link.symlink_to("busybox")
    (dest / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
    (dest / "etc" / "group").write_text("root:x:0:\nnogroup:x:65534:\n")
    return dest


def _deterministic_tar(rootfs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        def norm(ti):
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = "root"
            ti.mtime = 0
            return ti
        for path in sorted(Path(rootfs).rglob("*")):
            rel = path.relative_to(rootfs).as_posix()
            tf.add(path, arcname=rel, recursive=False, filter=norm)
    return buf.getvalue()


def _blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    (layout / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    (layout / "blobs" / "sha256" / digest).write_bytes(data)
    return f"sha256:{digest}", len(data)


def make_oci_archive(rootfs, out_tar, ref_name, tag="latest", cmd=("/bin/sh",)):
    """Write an OCI image layout (oci-layout, index.json, manifest, config,
    one tar+gzip layer, all content-addressed by sha256) as a tar archive."""
    import tempfile
    with tempfile.TemporaryDirectory(prefix="oci-", dir=Path(out_tar).parent) as tmp:
        layout = Path(tmp)
        layer = _deterministic_tar(rootfs)
        diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
        gz = gzip.compress(layer, mtime=0)
        layer_digest, layer_size = _blob(layout, gz)
        config = {
            "architecture": "amd64", "os": "linux",
            "config": {"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": list(cmd),
                       "WorkingDir": "/"},
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
            "history": [{"created_by": "warmlane engine tests (busybox rootfs)"}],
        }
        cfg_digest, cfg_size = _blob(layout, json.dumps(config, sort_keys=True).encode())
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": cfg_digest, "size": cfg_size},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                        "digest": layer_digest, "size": layer_size}],
        }
        man_digest, man_size = _blob(layout, json.dumps(manifest, sort_keys=True).encode())
        index = {
            "schemaVersion": 2,
            "manifests": [{
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": man_digest, "size": man_size,
                "platform": {"architecture": "amd64", "os": "linux"},
                "annotations": {"io.containerd.image.name": f"{ref_name}:{tag}",
                                "org.opencontainers.image.ref.name": tag},
            }],
        }
        (layout / "index.json").write_text(json.dumps(index))
        (layout / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))
        with tarfile.open(out_tar, "w") as tf:
            for name in ("oci-layout", "index.json", "blobs"):
                tf.add(layout / name, arcname=name)
    return f"{ref_name}:{tag}", man_digest
