"""Root filesystem (pivot_root / --no-pivot, propagation, read-only) and mounts."""
import os
import subprocess

import pytest

import harness as H


def mounts(info):
    return H.mountinfo_entries(info["mountinfo"])


# ---- root filesystem -----------------------------------------------------------

def test_pivot_root_hides_host(ctx):
    info = ctx.run_probe(ctx.bundle("stat:/bin/probe", f"stat:{ctx.workdir}"))
    assert info["stat"]["/bin/probe"] is not None
    assert info["stat"][str(ctx.workdir)] is None, "host path visible inside container"
    m = mounts(info)
    assert len([e for e in m if e["target"] == "/"]) == 1, "old root still mounted after pivot_root"


def test_no_pivot(ctx):
    b = ctx.bundle("stat:/bin/probe", f"stat:{ctx.workdir}")
    info = ctx.run_probe(b, "--no-pivot")
    assert info["stat"]["/bin/probe"] is not None
    assert info["stat"][str(ctx.workdir)] is None, "host path visible inside container"
    assert info["cwd"] == "/"


def test_root_readonly(ctx):
    b = ctx.bundle("write:/", "write:/tmp", "write:/shared", "write:/dev/shm")
    b.config["root"]["readonly"] = True
    info = ctx.run_probe(b)
    assert info["write"]["/"] == "EROFS"
    assert info["write"]["/tmp"] == "EROFS"
    assert info["write"]["/shared"] == "ok"
    assert info["write"]["/dev/shm"] == "ok"
    assert "ro" in H.mount_at(mounts(info), "/")["opts"]


def test_root_writable(ctx):
    b = ctx.bundle("write:/", "write:/tmp")
    b.config["root"]["readonly"] = False
    info = ctx.run_probe(b)
    assert info["write"] == {"/": "ok", "/tmp": "ok"}
    assert "rw" in H.mount_at(mounts(info), "/")["opts"]


@pytest.mark.parametrize("prop,want", [("shared", "shared"), ("private", "private"),
                                       ("slave", "private")])
def test_rootfs_propagation(ctx, prop, want):
    # The host's / is private here, so a slave root has no master: it reads private.
    if prop == "shared":
        ctx.known_difference("runc", "runc 1.1.5 leaves / private with rootfsPropagation=shared "
                             "(runc's later test suite expects shared)")
    b = ctx.bundle()
    b.linux["rootfsPropagation"] = prop
    info = ctx.run_probe(b)
    assert H.propagation(H.mount_at(mounts(info), "/")) == want


# ---- filesystem mounts -----------------------------------------------------------

def test_default_mounts_present(ctx):
    m = mounts(ctx.run_probe(ctx.bundle()))
    assert H.mount_at(m, "/proc")["fstype"] == "proc"
    assert H.mount_at(m, "/sys")["fstype"] == "sysfs"
    assert "ro" in H.mount_at(m, "/sys")["opts"]
    assert H.mount_at(m, "/dev")["fstype"] == "tmpfs"
    pts = H.mount_at(m, "/dev/pts")
    assert pts["fstype"] == "devpts" and {"nosuid", "noexec"} <= pts["opts"]
    assert H.mount_at(m, "/dev/mqueue")["fstype"] == "mqueue"
    shm = H.mount_at(m, "/dev/shm")
    assert shm["fstype"] == "tmpfs" and {"nosuid", "nodev", "noexec"} <= shm["opts"]


def test_cgroup_mount(ctx):
    info = ctx.run_probe(ctx.bundle("write:/sys/fs/cgroup"))
    m = mounts(info)
    cg = [e for e in m if e["target"].startswith("/sys/fs/cgroup")]
    assert cg, "nothing mounted under /sys/fs/cgroup"
    assert any(e["fstype"] in ("cgroup", "cgroup2") for e in cg), cg
    assert all("ro" in e["opts"] for e in cg if e["fstype"] in ("cgroup", "cgroup2")), cg
    assert any(e["target"] == "/sys/fs/cgroup/memory" for e in cg) or \
        any(e["fstype"] == "cgroup2" for e in cg), [e["target"] for e in cg]


def test_tmpfs_size_and_mode(ctx):
    b = ctx.bundle("stat:/scratch", "write:/scratch")
    b.add_mount("/scratch", "tmpfs", "tmpfs", ["nosuid", "nodev", "size=1m", "mode=0710"])
    info = ctx.run_probe(b)
    e = H.mount_at(mounts(info), "/scratch")
    assert e["fstype"] == "tmpfs"
    assert "size=1024k" in e["super"], e["super"]
    assert "mode=710" in e["super"], e["super"]
    assert {"nosuid", "nodev"} <= e["opts"]
    assert info["stat"]["/scratch"]["mode"] == "0710"
    assert info["write"]["/scratch"] == "ok"


def test_mqueue_and_devpts_extra(ctx):
    b = ctx.bundle()
    b.add_mount("/mnt/mq", "mqueue", "mqueue", ["nosuid", "nodev", "noexec"])
    m = mounts(ctx.run_probe(b))
    assert H.mount_at(m, "/mnt/mq")["fstype"] == "mqueue"


@pytest.fixture
def src_dir(ctx):
    d = ctx.workdir / "src"
    d.mkdir()
    (d / "file").write_text("hello")
    (d / "exe").write_bytes(open(ctx.template / "bin" / "busybox", "rb").read()[:0])
    return d


@pytest.mark.parametrize("kind", ["bind", "rbind"])
def test_bind_ro(ctx, src_dir, kind):
    b = ctx.bundle("read:/mnt/src/file", "write:/mnt/src", "write:/mnt/src/file")
    b.add_mount("/mnt/src", "bind", src_dir, [kind, "ro"])
    info = ctx.run_probe(b)
    assert info["read"]["/mnt/src/file"] == "hello"
    assert info["write"]["/mnt/src"] == "EROFS"
    assert info["write"]["/mnt/src/file"] == "EROFS"
    assert "ro" in H.mount_at(mounts(info), "/mnt/src")["opts"]


def test_bind_rw(ctx, src_dir):
    b = ctx.bundle("write:/mnt/src")
    b.add_mount("/mnt/src", "bind", src_dir, ["bind", "rw"])
    info = ctx.run_probe(b)
    assert info["write"]["/mnt/src"] == "ok"


def test_bind_nosuid_nodev_noexec(ctx, src_dir):
    b = ctx.bundle()
    b.add_mount("/mnt/src", "bind", src_dir, ["rbind", "nosuid", "nodev", "noexec"])
    e = H.mount_at(mounts(ctx.run_probe(b)), "/mnt/src")
    assert {"nosuid", "nodev", "noexec"} <= e["opts"], e["opts"]


def test_bind_file(ctx, src_dir):
    b = ctx.bundle("read:/etc/wl-file", "stat:/etc/wl-file")
    b.add_mount("/etc/wl-file", "bind", src_dir / "file", ["bind", "ro"])
    info = ctx.run_probe(b)
    assert info["read"]["/etc/wl-file"] == "hello"
    assert info["stat"]["/etc/wl-file"]["type"] == "f"


@pytest.fixture
def src_with_submount(ctx, src_dir):
    sub = src_dir / "sub"
    sub.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "wl-it-sub", str(sub)],
                   check=True, timeout=10)
    ctx.cleanups.append(lambda: subprocess.run(["umount", str(sub)], check=True, timeout=10))
    (sub / "inner").write_text("inner")
    return src_dir


def test_rbind_includes_submounts(ctx, src_with_submount):
    b = ctx.bundle("read:/mnt/src/sub/inner")
    b.add_mount("/mnt/src", "bind", src_with_submount, ["rbind", "ro"])
    info = ctx.run_probe(b)
    assert info["read"]["/mnt/src/sub/inner"] == "inner"
    e = H.mount_at(mounts(info), "/mnt/src/sub")
    assert e["fstype"] == "tmpfs"


def test_bind_excludes_submounts(ctx, src_with_submount):
    b = ctx.bundle("read:/mnt/src/sub/inner")
    b.add_mount("/mnt/src", "bind", src_with_submount, ["bind", "ro"])
    info = ctx.run_probe(b)
    assert isinstance(info["read"]["/mnt/src/sub/inner"], dict), "submount leaked into a plain bind"


@pytest.mark.parametrize("opt,want", [("rshared", "shared"), ("shared", "shared"),
                                      ("rprivate", "private"), ("private", "private")])
def test_bind_propagation(ctx, src_dir, opt, want):
    b = ctx.bundle()
    b.add_mount("/mnt/src", "bind", src_dir, ["rbind", opt])
    e = H.mount_at(mounts(ctx.run_probe(b)), "/mnt/src")
    assert H.propagation(e) == want, e["optional"]


def test_bind_slave_follows_shared_source(ctx, src_dir):
    # Make the source a shared mount point on the host, then bind it rslave.
    subprocess.run(["mount", "--bind", str(src_dir), str(src_dir)], check=True, timeout=10)
    ctx.cleanups.append(lambda: subprocess.run(["umount", str(src_dir)], check=True, timeout=10))
    subprocess.run(["mount", "--make-shared", str(src_dir)], check=True, timeout=10)
    b = ctx.bundle()
    b.linux["rootfsPropagation"] = "rslave"
    b.add_mount("/mnt/src", "bind", src_dir, ["rbind", "rslave"])
    e = H.mount_at(mounts(ctx.run_probe(b)), "/mnt/src")
    assert H.propagation(e) == "slave", e["optional"]
