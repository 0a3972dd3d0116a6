"""Hooks: each gets the state JSON on stdin, they run in order, timeouts kill them."""
import json
import time

import pytest

import harness as H

ORDER = ["createRuntime", "createContainer", "startContainer", "poststart", "poststop"]
# Status a hook may see (runtime-spec: state at the time the hook runs).
ALLOWED_STATUS = {
    "prestart": {"creating", "created"},
    "createRuntime": {"creating", "created"},
    "createContainer": {"creating", "created"},
    "startContainer": {"created", "running"},
    "poststart": {"created", "running"},
    "poststop": {"stopped"},
}


def recording_hook(dirpath, name):
    # /bin/sh and cat exist both on the host and in the busybox rootfs, and the
    # record dir is bind-mounted at the same path inside the container, so the
    # same hook works in the runtime and in the container namespace.
    return {"path": "/bin/sh",
            "args": ["sh", "-c", f'cat > {dirpath}/{name}.json; echo {name} >> {dirpath}/order'],
            "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}


def hook_bundle(ctx, names, args=None):
    b = ctx.bundle(args=args or ["/bin/true"])
    rec = ctx.workdir / "hookrec"
    rec.mkdir(exist_ok=True)
    rec.chmod(0o777)
    b.add_mount(str(rec), "bind", rec, ["rbind", "rw"])
    b.config["hooks"] = {n: [recording_hook(rec, n)] for n in names}
    return b, rec


POSTSTART_RUNC = ("runs poststart hooks during `create`, before start and before "
                  "startContainer (opencontainers/runc#4347, fixed upstream by #5186)")


def run_all_hooks(ctx):
    b, rec = hook_bundle(ctx, ["prestart"] + ORDER)
    cid = ctx.create(b)
    pid = ctx.rt.state(cid)["pid"]
    ctx.rt.ok("start", cid)
    ctx.rt.wait_status(cid, "stopped")
    ctx.rt.ok("delete", cid)
    return b, rec, cid, pid


def test_hooks_receive_state_on_stdin(ctx):
    b, rec, cid, pid = run_all_hooks(ctx)
    order = (rec / "order").read_text().split()
    assert sorted(order) == sorted(["prestart"] + ORDER), order
    for name in ["prestart"] + ORDER:
        st = json.loads((rec / f"{name}.json").read_text())
        assert st["id"] == cid, (name, st)
        assert st["bundle"] == str(b.path), (name, st)
        assert st["status"] in ALLOWED_STATUS[name], (name, st)
        assert st["ociVersion"], (name, st)
        if name in ("prestart", "createRuntime", "poststart"):
            assert st["pid"] == pid, (name, st)


def test_container_namespace_hooks_get_host_pid(ctx):
    """runtime-spec state.md: pid is the container process id *as seen by the host*."""
    ctx.known_difference("runc", "passes the pid as seen inside the container (1) to "
                         "createContainer/startContainer hooks")
    b, rec, cid, pid = run_all_hooks(ctx)
    for name in ("createContainer", "startContainer"):
        st = json.loads((rec / f"{name}.json").read_text())
        assert st["pid"] == pid, (name, st)


def test_hook_order(ctx):
    ctx.known_difference("runc", POSTSTART_RUNC)
    b, rec, cid, pid = run_all_hooks(ctx)
    order = (rec / "order").read_text().split()
    assert [h for h in order if h != "prestart"] == ORDER, order
    assert order.index("prestart") < order.index("createContainer"), order


def test_hook_order_create_phase(ctx):
    """The part of the order every runtime here agrees on."""
    b, rec, cid, pid = run_all_hooks(ctx)
    order = (rec / "order").read_text().split()
    for before, after in [("createRuntime", "createContainer"), ("prestart", "createContainer"),
                          ("createContainer", "startContainer"), ("startContainer", "poststop"),
                          ("poststart", "poststop")]:
        assert order.index(before) < order.index(after), (before, after, order)


def test_hooks_with_run(ctx):
    ctx.known_difference("runc", POSTSTART_RUNC)
    b, rec = hook_bundle(ctx, ORDER)
    b.write()
    ctx.rt.ok("run", "--bundle", b.path, ctx.new_id())
    assert (rec / "order").read_text().split() == ORDER


def test_create_phase_hooks_only_before_start(ctx):
    ctx.known_difference("runc", POSTSTART_RUNC)
    b, rec = hook_bundle(ctx, ["createRuntime", "createContainer", "startContainer", "poststart"])
    cid = ctx.create(b)
    assert (rec / "order").read_text().split() == ["createRuntime", "createContainer"]
    ctx.rt.ok("start", cid)
    H.wait_until(lambda: len((rec / "order").read_text().split()) == 4, what="start hooks")


def test_start_container_hook_runs_at_start(ctx):
    b, rec = hook_bundle(ctx, ["createRuntime", "startContainer"])
    cid = ctx.create(b)
    assert not (rec / "startContainer.json").exists()
    ctx.rt.ok("start", cid)
    H.wait_until(lambda: (rec / "startContainer.json").exists(), what="startContainer hook")


@pytest.mark.parametrize("phase", ["createRuntime", "prestart"])
def test_hook_timeout_kills_and_fails(ctx, phase):
    b = ctx.bundle(args=["/bin/true"])
    b.config["hooks"] = {phase: [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]}
    b.write()
    cid = ctx.new_id()
    r = ctx.rt("create", "--bundle", b.path, cid, stdout_path=b.path / "stdout")
    assert r.rc != 0, r
    assert r.elapsed < 15, f"hook timeout not enforced: took {r.elapsed:.1f}s"
    msg = ctx.rt.failure_text(r)
    assert "timeout" in msg.lower() or "timed out" in msg.lower(), msg
    assert ctx.rt.status(cid) is None
    time.sleep(0.1)
    assert not H.procs_of_container(cid, b.path)


def test_failing_hook_fails_create(ctx):
    b = ctx.bundle(args=["/bin/true"])
    b.config["hooks"] = {"createRuntime": [{"path": "/bin/false", "args": ["false"]}]}
    b.write()
    cid = ctx.new_id()
    r = ctx.rt("create", "--bundle", b.path, cid, stdout_path=b.path / "stdout")
    assert r.rc != 0, r
    assert ctx.rt.status(cid) is None
    assert not (ctx.rt.root / cid).exists()
