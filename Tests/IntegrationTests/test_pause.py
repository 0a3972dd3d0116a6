"""pause / resume (cgroup v1 freezer): the container really stops and
continues; a paused container can be killed and force-deleted cleanly."""
import time

import harness as H

COUNTER = ["/bin/sh", "-c",
           "i=0; while :; do i=$((i+1)); echo $i > /shared/c.tmp; mv /shared/c.tmp /shared/c; "
           "sleep 0.02; done"]


def counter(b):
    try:
        return int((b.shared / "c").read_text())
    except (OSError, ValueError):
        return None


def running_counter(ctx):
    b = ctx.bundle(args=COUNTER)
    cid = ctx.create(b)
    ctx.rt.ok("start", cid)
    H.wait_until(lambda: (counter(b) or 0) > 2, what="counter to move")
    pid = ctx.rt.state(cid)["pid"]
    return b, cid, H.cgroup_paths_of_pid(pid)


def container_cgroups_left(cg):
    own = set(H.cgroup_paths_of_pid("self").values())
    return [str(p) for p in cg.values() if p not in own and p.exists()]


def freezer_state(cg):
    return H.cg_read(cg["freezer"], "freezer.state")


def test_pause_stops_resume_continues(ctx):
    b, cid, cg = running_counter(ctx)
    ctx.rt.ok("pause", cid)
    assert ctx.rt.status(cid) == "paused"
    assert freezer_state(cg) == "FROZEN"
    c0 = counter(b)
    time.sleep(0.4)
    assert counter(b) == c0, "counter moved while paused"
    ctx.rt.ok("resume", cid)
    assert ctx.rt.status(cid) == "running"
    assert freezer_state(cg) == "THAWED"
    H.wait_until(lambda: (counter(b) or 0) > c0 + 2, timeout=5, what="counter to move after resume")


def test_kill_9_paused(ctx):
    b, cid, cg = running_counter(ctx)
    ctx.rt.ok("pause", cid)
    ctx.rt.ok("kill", cid, "KILL")
    ctx.rt.wait_status(cid, "stopped", timeout=10)
    ctx.rt.ok("delete", cid)
    assert ctx.rt.status(cid) is None
    left = container_cgroups_left(cg)
    assert not left, f"cgroups left: {left}"
    assert not H.procs_of_container(cid)


def test_delete_force_paused(ctx):
    b, cid, cg = running_counter(ctx)
    ctx.rt.ok("pause", cid)
    ctx.rt.ok("delete", "--force", cid, timeout=15)
    assert ctx.rt.status(cid) is None
    left = container_cgroups_left(cg)
    assert not left, f"cgroups left: {left}"
    assert not H.procs_of_container(cid)


def test_pause_stopped_fails(ctx):
    b = ctx.bundle("exit:0")
    cid = ctx.create(b)
    ctx.rt.ok("start", cid)
    ctx.rt.wait_status(cid, "stopped")
    r = ctx.rt("pause", cid)
    assert r.rc != 0, r
    assert ctx.rt.status(cid) == "stopped"


def test_resume_running_fails(ctx):
    b, cid, cg = running_counter(ctx)
    r = ctx.rt("resume", cid)
    assert r.rc != 0, r
    assert ctx.rt.status(cid) == "running"


def test_pause_freezes_exec_processes(ctx):
    """An exec'd process is in the container's cgroup, so pause stops it too."""
    b, cid, cg = running_counter(ctx)
    r = ctx.rt("exec", "--detach", cid, "/bin/sh", "-c",
               "i=0; while :; do i=$((i+1)); echo $i > /shared/e.tmp; mv /shared/e.tmp /shared/e; "
               "sleep 0.02; done", timeout=10)
    assert r.rc == 0, r

    def ecount():
        try:
            return int((b.shared / "e").read_text())
        except (OSError, ValueError):
            return None
    H.wait_until(lambda: (ecount() or 0) > 2, what="exec'd counter to move")
    ctx.rt.ok("pause", cid)
    e0 = ecount()
    time.sleep(0.4)
    assert ecount() == e0, "exec'd process kept running while paused"
    ctx.rt.ok("resume", cid)
    H.wait_until(lambda: (ecount() or 0) > e0 + 2, timeout=5, what="exec'd counter after resume")


def test_delete_paused_without_force_fails(ctx):
    b, cid, cg = running_counter(ctx)
    ctx.rt.ok("pause", cid)
    r = ctx.rt("delete", cid)
    assert r.rc != 0, r
    assert ctx.rt.status(cid) == "paused"
    assert container_cgroups_left(cg), "cgroups must stay while the container exists"
