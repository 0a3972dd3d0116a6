"""Devices: default /dev nodes and links, linux.devices, masked and read-only paths."""
import os

import pytest

import harness as H

DEFAULT_NODES = {"/dev/null": (1, 3), "/dev/zero": (1, 5), "/dev/full": (1, 7),
                 "/dev/random": (1, 8), "/dev/urandom": (1, 9), "/dev/tty": (5, 0)}
DEFAULT_LINKS = {"/dev/fd": "/proc/self/fd", "/dev/stdin": "/proc/self/fd/0",
                 "/dev/stdout": "/proc/self/fd/1", "/dev/stderr": "/proc/self/fd/2",
                 "/dev/ptmx": "pts/ptmx"}


def test_default_device_nodes(ctx):
    info = ctx.run_probe(ctx.bundle(*(f"stat:{p}" for p in DEFAULT_NODES),
                                    *(f"write:{p}" for p in ("/dev/null", "/dev/zero"))))
    for path, (major, minor) in DEFAULT_NODES.items():
        st = info["stat"][path]
        assert st is not None, f"{path} missing"
        assert (st["type"], st["major"], st["minor"]) == ("c", major, minor), (path, st)
        assert st["mode"] == "0666", (path, st)
    assert info["write"] == {"/dev/null": "ok", "/dev/zero": "ok"}


def test_default_device_links(ctx):
    info = ctx.run_probe(ctx.bundle(*(f"stat:{p}" for p in DEFAULT_LINKS)))
    for path, target in DEFAULT_LINKS.items():
        st = info["stat"][path]
        assert st is not None and st["type"] == "l", (path, st)
        assert st["link"] == target, (path, st)


def test_dev_core_link(ctx):
    if not os.path.exists("/proc/kcore"):
        pytest.skip("/proc/kcore does not exist on this host, so /dev/core does not apply")
    st = ctx.run_probe(ctx.bundle("stat:/dev/core"))["stat"]["/dev/core"]
    assert st and st["type"] == "l" and st["link"] == "/proc/kcore", st


def test_linux_devices(ctx):
    b = ctx.bundle("stat:/dev/wl-null", "stat:/dev/sub/wl-zero", "write:/dev/sub/wl-zero")
    b.linux["devices"] = [
        {"path": "/dev/wl-null", "type": "c", "major": 1, "minor": 3,
         "fileMode": 0o640, "uid": 1000, "gid": 1001},
        {"path": "/dev/sub/wl-zero", "type": "c", "major": 1, "minor": 5, "fileMode": 0o666},
    ]
    b.linux["resources"]["devices"].append(
        {"allow": True, "type": "c", "major": 1, "minor": 5, "access": "rwm"})
    info = ctx.run_probe(b)
    st = info["stat"]["/dev/wl-null"]
    assert st is not None
    assert (st["type"], st["major"], st["minor"]) == ("c", 1, 3), st
    assert (st["mode"], st["uid"], st["gid"]) == ("0640", 1000, 1001), st
    sub = info["stat"]["/dev/sub/wl-zero"]
    assert sub is not None and (sub["major"], sub["minor"], sub["mode"]) == (1, 5, "0666"), sub
    assert info["write"]["/dev/sub/wl-zero"] == "ok"


def test_device_cgroup_denies_unlisted(ctx):
    """A node that exists but is not allowed by resources.devices can't be opened."""
    b = ctx.bundle("write:/dev/wl-mem")
    b.linux["devices"] = [{"path": "/dev/wl-mem", "type": "c", "major": 1, "minor": 1,
                           "fileMode": 0o600}]
    info = ctx.run_probe(b)
    assert info["write"]["/dev/wl-mem"] == "EPERM"


def test_masked_paths(ctx):
    b = ctx.bundle("read:/proc/kcore", "stat:/proc/kcore", "read:/proc/keys",
                   "stat:/sys/firmware", "write:/sys/firmware", "stat:/proc/acpi",
                   "read:/proc/uptime")
    b.linux["maskedPaths"] = ["/proc/kcore", "/proc/keys", "/sys/firmware", "/proc/acpi",
                              "/does/not/exist"]
    info = ctx.run_probe(b)
    # a masked file is /dev/null bind-mounted over it; a directory is a read-only tmpfs
    for f in ("/proc/keys",):
        assert info["read"][f] == "", info["read"][f]
    if info["stat"]["/proc/kcore"] is not None:
        assert info["read"]["/proc/kcore"] == ""
    if info["stat"]["/sys/firmware"] is not None:
        assert info["write"]["/sys/firmware"] in ("EROFS", "EACCES", "EPERM")
        fw = H.mount_at(H.mountinfo_entries(info["mountinfo"]), "/sys/firmware")
        assert fw["fstype"] == "tmpfs" and "ro" in fw["opts"]
    assert info["read"]["/proc/uptime"] != "", "unmasked path must stay readable"


def test_readonly_paths(ctx):
    b = ctx.bundle("write:/proc/sys/kernel/hostname", "write:/shared",
                   "read:/proc/sys/kernel/ostype")
    b.linux["readonlyPaths"] = ["/proc/sys", "/proc/bus", "/shared", "/does/not/exist"]
    info = ctx.run_probe(b)
    assert info["write"]["/proc/sys/kernel/hostname"] == "EROFS"
    e = H.mount_at(H.mountinfo_entries(info["mountinfo"]), "/proc/bus")
    assert "ro" in e["opts"], e
    assert info["write"]["/shared"] == "EROFS"
    assert info["read"]["/proc/sys/kernel/ostype"] == "Linux", "read-only must stay readable"
