"""Namespaces: new ones of every type, and joining existing ones by path."""
import os
import subprocess
import time

import pytest

import harness as H

ALL = ("pid", "network", "ipc", "uts", "mount", "cgroup")
PROC_NAME = {"pid": "pid", "network": "net", "ipc": "ipc", "uts": "uts", "mount": "mnt",
             "cgroup": "cgroup", "user": "user", "time": "time"}


def host_ns(name, pid="self"):
    return os.readlink(f"/proc/{pid}/ns/{name}")


@pytest.mark.parametrize("nstype", ALL)
def test_new_namespace(ctx, nstype):
    b = ctx.bundle()
    b.set_ns(nstype)
    info = ctx.run_probe(b)
    name = PROC_NAME[nstype]
    assert info["ns"][name] != host_ns(name), f"{nstype} namespace is the host's"


@pytest.mark.parametrize("nstype", ("network", "ipc", "uts", "cgroup"))
def test_no_namespace_shares_host(ctx, nstype):
    b = ctx.bundle()
    b.drop_ns(nstype)
    if nstype == "uts":
        b.config.pop("hostname", None)
    if nstype == "network":
        b.config["mounts"] = [m for m in b.config["mounts"] if m["type"] != "sysfs"]
        b.add_mount("/sys", "bind", "/sys", ["rbind", "nosuid", "noexec", "nodev", "ro"])
    info = ctx.run_probe(b)
    name = PROC_NAME[nstype]
    assert info["ns"][name] == host_ns(name)


def test_pid_namespace_pid1(ctx):
    info = ctx.run_probe(ctx.bundle())
    assert info["pid"] == 1 and info["ppid"] == 0


def test_cgroup_namespace_root(ctx):
    b = ctx.bundle("read:/proc/self/cgroup")
    b.set_ns("cgroup")
    info = ctx.run_probe(b)
    lines = info["read"]["/proc/self/cgroup"].splitlines()
    assert lines and all(l.endswith(":/") for l in lines), lines


def test_user_namespace_mappings(ctx):
    b = ctx.bundle("read:/proc/self/uid_map", "read:/proc/self/gid_map", "stat:/bin/busybox")
    b.set_ns("user")
    b.linux["uidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]
    b.linux["gidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]
    # cgroup v1 hierarchies cannot be mounted from a user namespace here.
    b.config["mounts"] = [m for m in b.config["mounts"] if m["type"] != "cgroup"]
    info = ctx.run_probe(b)
    assert info["ns"]["user"] != host_ns("user")
    assert info["uid"] == 0 and info["gid"] == 0
    assert info["read"]["/proc/self/uid_map"].split() == ["0", "200000", "65536"]
    assert info["read"]["/proc/self/gid_map"].split() == ["0", "200000", "65536"]
    # host root is not mapped: files it owns show up as the overflow id
    assert info["stat"]["/bin/busybox"]["uid"] == 65534


def test_time_namespace(ctx):
    if not os.path.exists("/proc/self/ns/time"):
        pytest.skip("kernel has no time namespace support")
    ctx.known_difference("runc", "runc 1.1.x does not know the `time` namespace type")
    b = ctx.bundle("read:/proc/self/timens_offsets")
    b.set_ns("time")
    b.linux["timeOffsets"] = {"monotonic": {"secs": 86400, "nanosecs": 0}}
    info = ctx.run_probe(b)
    assert info["ns"]["time"] != host_ns("time")
    assert "86400" in info["read"]["/proc/self/timens_offsets"]


def _helper(ctx, *unshare_flags):
    """A sleeping helper in fresh namespaces; returns the pid inside them."""
    p = ctx.spawn(["unshare", *unshare_flags, "sleep", "60"])
    me = host_ns("net"), host_ns("uts"), host_ns("pid")

    def ready():
        pids = [p.pid]
        if "--fork" in unshare_flags:
            try:
                with open(f"/proc/{p.pid}/task/{p.pid}/children") as f:
                    pids = [int(x) for x in f.read().split()]
            except OSError:
                return None
        for pid in pids:
            try:
                if open(f"/proc/{pid}/comm").read().strip() == "sleep":
                    return pid
            except OSError:
                pass
        return None
    return H.wait_until(ready, what="helper process in its namespaces")


@pytest.mark.parametrize("nstype,flag", [("network", "--net"), ("uts", "--uts"), ("ipc", "--ipc")])
def test_join_namespace_by_path(ctx, nstype, flag):
    pid = _helper(ctx, flag)
    name = PROC_NAME[nstype]
    b = ctx.bundle()
    b.set_ns(nstype, f"/proc/{pid}/ns/{name}")
    if nstype == "uts":
        b.config.pop("hostname", None)
    info = ctx.run_probe(b)
    assert info["ns"][name] == host_ns(name, pid)
    assert info["ns"][name] != host_ns(name)


def test_join_pid_namespace_by_path(ctx):
    pid = _helper(ctx, "--pid", "--fork")
    b = ctx.bundle()
    b.set_ns("pid", f"/proc/{pid}/ns/pid")
    info = ctx.run_probe(b)
    assert info["ns"]["pid"] == host_ns("pid", pid)
    assert info["pid"] != 1, "joined pid namespace already has a pid 1 (the helper)"


def test_join_uts_keeps_helper_hostname(ctx):
    pid = _helper(ctx, "--uts")
    subprocess.run(["nsenter", "-t", str(pid), "-u", "hostname", "wl-helper-host"],
                   check=True, timeout=10)
    b = ctx.bundle()
    b.set_ns("uts", f"/proc/{pid}/ns/uts")
    b.config.pop("hostname", None)
    info = ctx.run_probe(b)
    assert info["hostname"] == "wl-helper-host"


def test_join_netns_bind_mounted_file(ctx):
    """What `ip netns add` makes: an nsfs file bind-mounted onto a plain file,
    which keeps the namespace alive after its creator exited."""
    pid = _helper(ctx, "--net")
    ino = os.stat(f"/proc/{pid}/ns/net").st_ino
    nsfile = ctx.workdir / "netns-wl"
    nsfile.touch()
    subprocess.run(["mount", "--bind", f"/proc/{pid}/ns/net", str(nsfile)], check=True, timeout=10)
    ctx.cleanups.append(lambda: subprocess.run(["umount", str(nsfile)], check=True, timeout=10))
    for p in ctx.helpers:
        p.kill()
        p.wait(timeout=10)
    b = ctx.bundle()
    b.set_ns("network", nsfile)
    info = ctx.run_probe(b)
    assert info["ns"]["net"] == f"net:[{ino}]"
