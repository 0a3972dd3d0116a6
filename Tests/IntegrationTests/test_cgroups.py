"""cgroups v1: linux.resources lands in the container's cgroup files and is
enforced; cgroupsPath; clean-up on delete; `update`; `events --stats`.

The container's cgroup directories are found from /proc/<init pid>/cgroup as
the host sees it (no cgroup namespace), never from a runtime-specific layout.
"""
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

import harness as H

MiB = 1024 * 1024
SLEEP = ["/bin/sleep", "60"]


def start(ctx, b):
    """create + start; returns (cid, init host pid, {controller: cgroup dir})."""
    cid = ctx.create(b)
    ctx.rt.ok("start", cid)
    pid = ctx.rt.state(cid)["pid"]
    return cid, pid, H.cgroup_paths_of_pid(pid)


def v1_dirs(cg):
    return {c: p for c, p in cg.items() if c in
            ("memory", "cpu", "cpuacct", "cpuset", "pids", "devices", "freezer", "blkio")}


def has_memsw():
    return Path("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes").exists()


# ---- memory -------------------------------------------------------------------

def test_memory_values(ctx):
    b = ctx.bundle(args=SLEEP)
    mem = {"limit": 64 * MiB, "reservation": 32 * MiB, "disableOOMKiller": True,
           "swappiness": 10}
    if has_memsw():
        mem["swap"] = 96 * MiB
    b.linux["resources"]["memory"] = mem
    cid, pid, cg = start(ctx, b)
    m = cg["memory"]
    assert m != H.CGROUP_ROOT / "memory", "init is in the root memory cgroup"
    assert int(H.cg_read(m, "memory.limit_in_bytes")) == 64 * MiB
    assert int(H.cg_read(m, "memory.soft_limit_in_bytes")) == 32 * MiB
    if has_memsw():
        assert int(H.cg_read(m, "memory.memsw.limit_in_bytes")) == 96 * MiB
    assert H.cg_kv(m, "memory.oom_control")["oom_kill_disable"] == 1
    assert int(H.cg_read(m, "memory.swappiness")) == 10
    assert str(pid) in H.cg_read(m, "cgroup.procs").split()


def test_memory_limit_oom_kills_hog(ctx):
    """busybox dd with bs=200M mallocs and fills (touches) a 200 MiB buffer."""
    b = ctx.bundle(args=["/bin/sh", "-c",
                         "dd if=/dev/zero of=/dev/null bs=200M count=1 2>/dev/null; "
                         "echo $? > /shared/rc; exec sleep 60"])
    b.linux["resources"]["memory"] = {"limit": 32 * MiB}
    if has_memsw():
        b.linux["resources"]["memory"]["swap"] = 32 * MiB
    cid, pid, cg = start(ctx, b)
    H.wait_until(lambda: (b.shared / "rc").exists() and (b.shared / "rc").read_text().strip(),
                 timeout=20, what="the memory hog to finish")
    assert (b.shared / "rc").read_text().strip() == "137", "hog was not SIGKILLed"
    m = cg["memory"]
    oom = H.cg_kv(m, "memory.oom_control")
    failcnt = sum(int(H.cg_read(m, f)) for f in ("memory.failcnt", "memory.memsw.failcnt")
                  if (m / f).exists())
    assert oom.get("oom_kill", 0) >= 1 or failcnt > 0, (oom, failcnt)
    assert int(H.cg_read(m, "memory.max_usage_in_bytes")) <= 32 * MiB
    assert ctx.rt.status(cid) == "running", "the OOM kill must hit the hog, not the init"


# ---- cpu / cpuset -----------------------------------------------------------------

def test_cpu_shares_quota_period(ctx):
    b = ctx.bundle(args=["/bin/sh", "-c", "while :; do :; done"])
    b.linux["resources"]["cpu"] = {"shares": 512, "quota": 10000, "period": 100000}
    cid, pid, cg = start(ctx, b)
    c = cg["cpu"]
    assert int(H.cg_read(c, "cpu.shares")) == 512
    assert int(H.cg_read(c, "cpu.cfs_quota_us")) == 10000
    assert int(H.cg_read(c, "cpu.cfs_period_us")) == 100000
    # enforced: a busy loop gets throttled and uses ~10% of one cpu
    H.wait_until(lambda: H.cg_kv(c, "cpu.stat")["nr_throttled"] >= 3, timeout=5,
                 what="cpu.stat nr_throttled to grow")
    acct = cg.get("cpuacct", c)
    u0, t0 = int(H.cg_read(acct, "cpuacct.usage")), time.monotonic()
    time.sleep(0.5)
    u1, t1 = int(H.cg_read(acct, "cpuacct.usage")), time.monotonic()
    share = (u1 - u0) / 1e9 / (t1 - t0)
    assert share < 0.3, f"cpu quota not enforced: {share:.2f} cpus used"


def test_cpuset(ctx):
    cpus = sorted(os.sched_getaffinity(0))
    want = str(cpus[-1])
    b = ctx.bundle(args=SLEEP)
    b.linux["resources"]["cpu"] = {"cpus": want, "mems": "0"}
    cid, pid, cg = start(ctx, b)
    s = cg["cpuset"]
    assert H.cg_read(s, "cpuset.cpus") == want
    assert H.cg_read(s, "cpuset.mems") == "0"
    assert os.sched_getaffinity(pid) == {int(want)}, "init not bound to the cpuset"


# ---- pids -------------------------------------------------------------------------

def test_pids_limit_stops_fork_loop(ctx):
    b = ctx.bundle(args=["/bin/sh", "-c",
                         "until [ -e /shared/go ]; do sleep 0.05; done; "
                         "i=0; while [ $i -lt 40 ]; do sleep 60 & i=$((i+1)); done; "
                         "touch /shared/all-forked; exec sleep 60"])
    b.linux["resources"]["pids"] = {"limit": 10}
    cid, pid, cg = start(ctx, b)
    p = cg["pids"]
    assert H.cg_read(p, "pids.max") == "10"
    (b.shared / "go").touch()
    H.wait_until(lambda: H.cg_kv(p, "pids.events").get("max", 0) > 0, timeout=10,
                 what="pids.events max (a refused fork)")
    assert not (b.shared / "all-forked").exists(), "40 forks succeeded under pids.max 10"
    cur = int(H.cg_read(p, "pids.current"))
    assert cur <= 10, cur


# ---- devices ----------------------------------------------------------------------

def test_devices_default_deny_allow_list(ctx):
    b = ctx.bundle("write:/dev/null", "write:/dev/wl-zero", "write:/dev/wl-mem",
                   "sleep:60")
    b.linux["devices"] = [
        {"path": "/dev/wl-zero", "type": "c", "major": 1, "minor": 5, "fileMode": 0o666},
        {"path": "/dev/wl-mem", "type": "c", "major": 1, "minor": 1, "fileMode": 0o666},
    ]
    b.linux["resources"]["devices"].append(
        {"allow": True, "type": "c", "major": 1, "minor": 5, "access": "rw"})
    cid, pid, cg = start(ctx, b)
    lst = H.cg_read(cg["devices"], "devices.list").splitlines()
    assert "a *:* rwm" not in lst, lst
    assert "c 1:3 rwm" in lst, lst       # /dev/null: default allowed by every runtime
    assert "c 1:5 rw" in lst or "c 1:5 rwm" in lst, lst
    assert not any(l.startswith("c 1:1 ") for l in lst), lst
    H.wait_until(lambda: (b.path / "stdout").read_text().strip(), what="probe output")
    info = json.loads((b.path / "stdout").read_text())
    assert info["write"]["/dev/null"] == "ok"
    assert info["write"]["/dev/wl-zero"] == "ok"
    assert info["write"]["/dev/wl-mem"] == "EPERM"


# ---- blkio ------------------------------------------------------------------------

def test_blkio_weight(ctx):
    base = H.CGROUP_ROOT / "blkio"
    name = next((n for n in ("blkio.weight", "blkio.bfq.weight") if (base / n).exists()), None)
    if name is None:
        pytest.skip("no blkio.weight / blkio.bfq.weight on this host: the kernel's blkio "
                    "controller has neither CFQ nor BFQ proportional weight (only throttle)")
    b = ctx.bundle(args=SLEEP)
    b.linux["resources"]["blockIO"] = {"weight": 300}
    cid, pid, cg = start(ctx, b)
    v = H.cg_read(cg["blkio"], name).split()
    assert v[-1] == "300" or "300" in v, v


# ---- cgroupsPath ------------------------------------------------------------------

def _rm_tree_later(ctx, dirs):
    def rm():
        for d in dirs:
            if d.exists():
                os.rmdir(d)
    ctx.cleanups.append(rm)


def test_cgroups_path_absolute(ctx):
    parent = f"wl-it-abs-{ctx.token}"
    b = ctx.bundle(args=SLEEP)
    b.linux["resources"]["pids"] = {"limit": 50}
    b.linux["cgroupsPath"] = f"/{parent}/leaf"
    _rm_tree_later(ctx, [H.CGROUP_ROOT / c / parent for c in ("memory", "cpu", "cpuacct",
                    "cpuset", "pids", "devices", "freezer", "blkio", "systemd", "unified")])
    cid, pid, cg = start(ctx, b)
    for c in ("memory", "pids", "devices", "freezer", "cpu"):
        assert cg[c] == H.CGROUP_ROOT / c / parent / "leaf", (c, cg[c])
    assert H.cg_read(cg["pids"], "pids.max") == "50"
    ctx.rt.ok("delete", "--force", cid)
    left = [str(p) for p in v1_dirs(cg).values() if p.exists()]
    assert not left, f"cgroup dirs left after delete: {left}"


def test_cgroups_path_relative(ctx):
    parent = f"wl-it-rel-{ctx.token}"
    own = H.cgroup_paths_of_pid(os.getpid())
    b = ctx.bundle(args=SLEEP)
    b.linux["cgroupsPath"] = f"{parent}/leaf"
    _rm_tree_later(ctx, [p / parent for p in own.values()])
    cid, pid, cg = start(ctx, b)
    for c in ("memory", "pids", "devices", "freezer", "cpu"):
        assert cg[c] == own[c] / parent / "leaf", (c, cg[c], "want relative to the runtime's own cgroup")
    ctx.rt.ok("delete", "--force", cid)
    left = [str(p) for p in v1_dirs(cg).values() if p.exists()]
    assert not left, f"cgroup dirs left after delete: {left}"


# ---- cleanup ----------------------------------------------------------------------

def test_delete_removes_cgroups(ctx):
    b = ctx.bundle(args=SLEEP)
    b.linux["resources"]["memory"] = {"limit": 64 * MiB}
    b.linux["resources"]["pids"] = {"limit": 20}
    cid, pid, cg = start(ctx, b)
    dirs = v1_dirs(cg)
    assert all(p.is_dir() for p in dirs.values()), dirs
    ctx.rt.ok("kill", cid, "KILL")
    ctx.rt.wait_status(cid, "stopped")
    ctx.rt.ok("delete", cid)
    left = [str(p) for p in dirs.values() if p.exists()]
    assert not left, f"cgroup dirs left after delete: {left}"


def test_delete_removes_cgroups_after_external_sigkill(ctx):
    b = ctx.bundle(args=SLEEP)
    b.linux["resources"]["pids"] = {"limit": 20}
    cid, pid, cg = start(ctx, b)
    dirs = v1_dirs(cg)
    os.kill(pid, signal.SIGKILL)
    ctx.rt.wait_status(cid, "stopped")
    ctx.rt.ok("delete", cid)
    left = [str(p) for p in dirs.values() if p.exists()]
    assert not left, f"cgroup dirs left after delete: {left}"


# ---- update -------------------------------------------------------------------------

def _upd_container(ctx):
    b = ctx.bundle(args=SLEEP)
    b.linux["resources"]["memory"] = {"limit": 128 * MiB}
    b.linux["resources"]["pids"] = {"limit": 100}
    b.linux["resources"]["cpu"] = {"shares": 1024}
    return start(ctx, b)


def test_update_resources_file(ctx):
    cid, pid, cg = _upd_container(ctx)
    f = ctx.workdir / "res.json"
    f.write_text(json.dumps({"memory": {"limit": 96 * MiB}, "cpu": {"shares": 256},
                             "pids": {"limit": 30}}))
    ctx.rt.ok("update", "--resources", f, cid)
    assert int(H.cg_read(cg["memory"], "memory.limit_in_bytes")) == 96 * MiB
    assert int(H.cg_read(cg["cpu"], "cpu.shares")) == 256
    assert H.cg_read(cg["pids"], "pids.max") == "30"


def test_update_resources_stdin(ctx):
    cid, pid, cg = _upd_container(ctx)
    f = ctx.workdir / "res-stdin.json"
    f.write_text(json.dumps({"memory": {"limit": 80 * MiB}, "pids": {"limit": 25}}))
    with open(f) as stdin:
        ctx.rt.ok("update", "--resources", "-", cid, stdin=stdin)
    assert int(H.cg_read(cg["memory"], "memory.limit_in_bytes")) == 80 * MiB
    assert H.cg_read(cg["pids"], "pids.max") == "25"


def test_update_flags(ctx):
    cid, pid, cg = _upd_container(ctx)
    ctx.rt.ok("update", "--memory", "64m", "--pids-limit", "20", cid)
    assert int(H.cg_read(cg["memory"], "memory.limit_in_bytes")) == 64 * MiB
    assert H.cg_read(cg["pids"], "pids.max") == "20"
    assert int(H.cg_read(cg["cpu"], "cpu.shares")) == 1024, "unrelated value changed"


def test_update_memory_and_swap_up_and_down(ctx):
    """memsw must stay >= memory: raising both needs memsw written first,
    lowering both needs memory written first."""
    if not has_memsw():
        pytest.skip("no memory.memsw.* (swap accounting off)")
    b = ctx.bundle(args=SLEEP)
    b.linux["resources"]["memory"] = {"limit": 64 * MiB, "swap": 64 * MiB}
    cid, pid, cg = start(ctx, b)
    m = cg["memory"]
    ctx.rt.ok("update", "--memory", "128m", "--memory-swap", "256m", cid)
    assert int(H.cg_read(m, "memory.limit_in_bytes")) == 128 * MiB
    assert int(H.cg_read(m, "memory.memsw.limit_in_bytes")) == 256 * MiB
    f = ctx.workdir / "down.json"
    f.write_text(json.dumps({"memory": {"limit": 32 * MiB, "swap": 48 * MiB}}))
    ctx.rt.ok("update", "--resources", f, cid)
    assert int(H.cg_read(m, "memory.limit_in_bytes")) == 32 * MiB
    assert int(H.cg_read(m, "memory.memsw.limit_in_bytes")) == 48 * MiB


def test_update_cpu_flags(ctx):
    cid, pid, cg = _upd_container(ctx)
    cpus = sorted(os.sched_getaffinity(0))
    ctx.rt.ok("update", "--cpu-quota", "20000", "--cpu-period", "50000",
              "--cpuset-cpus", str(cpus[0]), cid)
    c = cg["cpu"]
    assert int(H.cg_read(c, "cpu.cfs_quota_us")) == 20000
    assert int(H.cg_read(c, "cpu.cfs_period_us")) == 50000
    assert H.cg_read(cg["cpuset"], "cpuset.cpus") == str(cpus[0])
    assert os.sched_getaffinity(pid) == {cpus[0]}
    # runc's flag is --cpu-share (singular), as engines pass it
    ctx.rt.ok("update", "--cpu-share", "300", cid)
    assert int(H.cg_read(c, "cpu.shares")) == 300


# ---- events --stats -------------------------------------------------------------------

def test_events_stats(ctx):
    b = ctx.bundle(args=SLEEP)
    b.linux["resources"]["memory"] = {"limit": 64 * MiB}
    b.linux["resources"]["pids"] = {"limit": 20}
    cid, pid, cg = start(ctx, b)
    r = ctx.rt.ok("events", "--stats", cid, timeout=10)
    lines = [l for l in r.out.splitlines() if l.strip()]
    assert len(lines) == 1, r
    ev = json.loads(lines[0])
    assert ev["type"] == "stats" and ev["id"] == cid, ev
    d = ev["data"]
    assert d["pids"]["current"] >= 1 and d["pids"]["limit"] == 20, d["pids"]
    assert d["memory"]["usage"]["usage"] > 0, d["memory"]
    assert d["memory"]["usage"]["limit"] == 64 * MiB, d["memory"]
    assert "max" in d["memory"]["usage"] and "failcnt" in d["memory"]["usage"]
    assert isinstance(d["memory"].get("raw"), dict) and "rss" in d["memory"]["raw"], d["memory"]
    u = d["cpu"]["usage"]
    assert u["total"] > 0 and "kernel" in u and "user" in u, u
    assert "throttling" in d["cpu"], d["cpu"]
    assert d["pids"]["current"] == int(H.cg_read(cg["pids"], "pids.current"))
