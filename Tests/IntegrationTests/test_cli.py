"""CLI surface: global flags, verbs and their flags, state/list/spec/features/--version."""
import ctypes
import json
import os
import re
import signal
import subprocess
import time

import pytest

import harness as H

RFC3339_NANO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,9}(Z|[+-]\d\d:\d\d)$")


def sleeper(ctx, seconds=30):
    return ctx.bundle(args=["/bin/sleep", str(seconds)])


# ---- global flags -----------------------------------------------------------

def test_root_flag_holds_state(ctx):
    b = sleeper(ctx)
    cid = ctx.create(b)
    assert (ctx.rt.root / cid).is_dir(), f"no state dir {ctx.rt.root / cid}"
    ctx.rt.ok("delete", "--force", cid)
    assert not (ctx.rt.root / cid).exists()


def test_log_json_lines_and_last_error(ctx):
    r = ctx.rt("state", "nosuch" + ctx.token)
    assert r.rc != 0
    entries = ctx.rt.log_entries()  # every line must parse as JSON
    assert entries, "nothing written to --log"
    for e in entries:
        assert {"level", "msg", "time"} <= set(e), e
    errors = [e for e in entries if e["level"] == "error"]
    assert errors, entries
    assert "does not exist" in errors[-1]["msg"]


def test_log_format_text(ctx):
    r = ctx.rt("state", "nosuch" + ctx.token, log_format="text")
    assert r.rc != 0
    text = ctx.rt.log.read_text()
    assert text.strip(), "nothing written to --log"
    for line in text.splitlines():
        assert not line.lstrip().startswith("{"), f"json in text log: {line}"
    assert "level=error" in text and "does not exist" in text, text


def test_debug_flag_logs_debug(ctx):
    b = ctx.bundle(args=["/bin/true"]).write()
    cid = ctx.new_id()
    ctx.rt.ok("run", "--bundle", b.path, cid, debug=True)
    levels = {e["level"] for e in ctx.rt.log_entries()}
    assert "debug" in levels, levels


def test_version(ctx):
    r = ctx.rt.ok("--version", log=False)
    lines = r.out.splitlines()
    # runc prints "runc version X"; accept "version X" or "NAME version X".
    assert any(re.match(r"^(\S+ )?version:? \S+", l) for l in lines), lines
    assert any(l.startswith("commit") for l in lines), lines
    assert any(l.startswith("spec") for l in lines), lines


# ---- create / start / run ----------------------------------------------------

def test_create_bundle_short_flag_and_start(ctx):
    b = ctx.bundle("touch:/shared/ran").write()
    cid = ctx.new_id()
    ctx.rt.ok("create", "-b", b.path, cid, stdout_path=b.path / "stdout")
    ctx.rt.ok("start", cid)
    ctx.rt.wait_status(cid, "stopped")
    assert (b.shared / "ran").exists()


def test_create_default_bundle_is_cwd(ctx):
    b = ctx.bundle("touch:/shared/ran").write()
    cid = ctx.new_id()
    ctx.rt.ok("create", cid, cwd=b.path, stdout_path=b.path / "stdout")
    assert ctx.rt.state(cid)["bundle"] == str(b.path)


def test_pid_file(ctx):
    b = sleeper(ctx)
    pidfile = ctx.workdir / "pid"
    cid = ctx.create(b, None, "--pid-file", pidfile)
    raw = pidfile.read_text()
    assert raw == raw.strip(), f"pid file has whitespace: {raw!r}"
    assert int(raw) == ctx.rt.state(cid)["pid"]
    assert os.path.exists(f"/proc/{raw}")


def test_preserve_fds(ctx):
    b = ctx.bundle().write()
    extra = ctx.workdir / "extra-fd-file"
    extra.write_text("x")
    fd = os.open(extra, os.O_RDONLY)
    try:
        def to_fd3():
            os.dup2(fd, 3)
        cid = ctx.new_id()
        r = ctx.rt("run", "--bundle", b.path, "--preserve-fds", "1", cid,
                   close_fds=False, preexec_fn=to_fd3)
    finally:
        os.close(fd)
    assert r.rc == 0, r
    fds = json.loads(r.out)["fds"]
    assert fds.get("3", "").endswith("extra-fd-file"), fds
    assert "4" not in fds, fds


def test_no_preserve_fds_by_default(ctx):
    b = ctx.bundle().write()
    fd = os.open(ctx.workdir, os.O_RDONLY)
    try:
        r = ctx.rt("run", "--bundle", b.path, ctx.new_id(), close_fds=False,
                   preexec_fn=lambda: os.dup2(fd, 3))
    finally:
        os.close(fd)
    assert r.rc == 0, r
    assert set(json.loads(r.out)["fds"]) <= {"0", "1", "2"}


def _keyctl_session_id():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc.syscall(250, 0, ctypes.c_long(-3), 0)  # keyctl(GET_KEYRING_ID, SESSION)


def test_new_session_keyring_by_default(ctx):
    b = ctx.bundle("keyring")
    info = ctx.run_probe(b)
    assert info["keyring"]["id"] != _keyctl_session_id(), info["keyring"]


def test_no_new_keyring(ctx):
    b = ctx.bundle("keyring")
    info = ctx.run_probe(b, "--no-new-keyring")
    assert info["keyring"]["id"] == _keyctl_session_id(), info["keyring"]


def test_run_exit_code(ctx):
    b = ctx.bundle("exit:7").write()
    r = ctx.rt("run", "--bundle", b.path, ctx.new_id())
    assert r.rc == 7, r


def test_run_removes_container_without_keep(ctx):
    b = ctx.bundle().write()
    cid = ctx.new_id()
    ctx.rt.ok("run", "--bundle", b.path, cid)
    assert ctx.rt.status(cid) is None
    assert not (ctx.rt.root / cid).exists()


def test_run_keep(ctx):
    b = ctx.bundle().write()
    cid = ctx.new_id()
    ctx.rt.ok("run", "--keep", "--bundle", b.path, cid)
    assert ctx.rt.status(cid) == "stopped"
    ctx.rt.ok("delete", cid)
    assert ctx.rt.status(cid) is None


def test_run_detach(ctx):
    b = sleeper(ctx).write()
    cid = ctx.new_id()
    r = ctx.rt("run", "-d", "--bundle", b.path, cid, stdout_path=b.path / "stdout")
    assert r.rc == 0, r
    assert r.elapsed < 10
    assert ctx.rt.status(cid) == "running"
    r = ctx.rt("run", "--detach", "--bundle", b.path, ctx.new_id(), stdout_path=b.path / "stdout2")
    assert r.rc == 0, r


def test_run_pid_file(ctx):
    b = sleeper(ctx).write()
    cid = ctx.new_id()
    pidfile = ctx.workdir / "pid"
    ctx.rt.ok("run", "-d", "--pid-file", pidfile, "--bundle", b.path, cid,
              stdout_path=b.path / "stdout")
    assert int(pidfile.read_text()) == ctx.rt.state(cid)["pid"]


# ---- state --------------------------------------------------------------------

def test_state_fields(ctx):
    b = sleeper(ctx)
    b.config["annotations"] = {"org.warmlane.test": "yes"}
    cid = ctx.create(b)
    st = ctx.rt.state(cid)
    for k in ("ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner",
              "annotations"):
        assert k in st, (k, st)
    assert st["id"] == cid
    assert st["status"] == "created"
    assert st["bundle"] == str(b.path)
    assert st["rootfs"] == str(b.rootfs)
    assert isinstance(st["pid"], int) and st["pid"] > 0
    assert RFC3339_NANO.match(st["created"]), st["created"]
    assert st["annotations"] == {"org.warmlane.test": "yes"}


def test_state_annotations_present_when_empty(ctx):
    ctx.known_difference("runc", "omits `annotations` from state when the config has none")
    cid = ctx.create(sleeper(ctx))
    assert ctx.rt.state(cid).get("annotations") == {}


# ---- kill ------------------------------------------------------------------------

TRAP_TERM = ["/bin/sh", "-c",
             "trap 'echo TERM > /shared/sig; exit 3' TERM; touch /shared/up; "
             "while true; do sleep 0.05; done"]


def test_kill_default_is_term(ctx):
    b = ctx.bundle(args=TRAP_TERM)
    cid = ctx.create(b)
    ctx.rt.ok("start", cid)
    H.wait_until(lambda: (b.shared / "up").exists(), what="container up")
    ctx.rt.ok("kill", cid)
    ctx.rt.wait_status(cid, "stopped")
    assert (b.shared / "sig").read_text().strip() == "TERM"


@pytest.mark.parametrize("sig", ["9", "KILL", "SIGKILL"])
def test_kill_signal_forms(ctx, sig):
    b = sleeper(ctx)
    cid = ctx.create(b)
    ctx.rt.ok("start", cid)
    ctx.rt.ok("kill", cid, sig)
    ctx.rt.wait_status(cid, "stopped")


def test_kill_all(ctx):
    b = ctx.bundle(args=["/bin/sh", "-c", "sleep 100 & sleep 100 & touch /shared/up; wait"])
    cid = ctx.create(b)
    ctx.rt.ok("start", cid)
    H.wait_until(lambda: (b.shared / "up").exists(), what="container up")
    assert len(H.procs_of_container(cid)) >= 3
    ctx.rt.ok("kill", "--all", cid, "KILL")
    ctx.rt.wait_status(cid, "stopped")
    H.wait_until(lambda: not H.procs_of_container(cid), what="all processes gone")


# ---- delete ----------------------------------------------------------------------

def test_delete_stopped(ctx):
    b = ctx.bundle().write()
    cid = ctx.create(b)
    ctx.rt.ok("start", cid)
    ctx.rt.wait_status(cid, "stopped")
    ctx.rt.ok("delete", cid)
    assert ctx.rt.status(cid) is None


def test_delete_created(ctx):
    """A created (never started) container can be deleted, no --force needed
    by runc; either way its init must be gone afterwards."""
    cid = ctx.create(sleeper(ctx))
    pid = ctx.rt.state(cid)["pid"]
    ctx.rt.ok("delete", "--force", cid)
    assert ctx.rt.status(cid) is None
    H.wait_until(lambda: not os.path.exists(f"/proc/{pid}") or
                 open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z",
                 what="init gone")


def test_delete_force_running(ctx):
    b = sleeper(ctx)
    cid = ctx.create(b)
    ctx.rt.ok("start", cid)
    pid = ctx.rt.state(cid)["pid"]
    ctx.rt.ok("delete", "--force", cid)
    assert ctx.rt.status(cid) is None
    assert not (ctx.rt.root / cid).exists()
    H.wait_until(lambda: not H.procs_of_container(cid), what="processes gone")
    assert not os.path.exists(f"/proc/{pid}/cmdline") or not open(f"/proc/{pid}/cmdline").read()


# ---- list ------------------------------------------------------------------------

def test_list_formats(ctx):
    cids = [ctx.create(sleeper(ctx)) for _ in range(2)]
    table = ctx.rt.ok("list").out.splitlines()
    header = table[0].split()
    for col in ("ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"):
        assert col in header, header
    rows = {l.split()[0]: l.split() for l in table[1:]}
    assert set(cids) <= set(rows), table
    assert rows[cids[0]][2] == "created"
    ctx.rt.ok("list", "--format", "table")
    js = json.loads(ctx.rt.ok("list", "--format", "json").out)
    byid = {c["id"]: c for c in js}
    assert set(cids) <= set(byid)
    assert byid[cids[0]]["status"] == "created"
    assert byid[cids[0]]["bundle"] == str(ctx.workdir / "bundle1")
    quiet = ctx.rt.ok("list", "-q").out.split()
    assert sorted(quiet) == sorted(cids)


def test_list_empty_root(ctx):
    r = ctx.rt.ok("list", "--format", "json")
    assert json.loads(r.out or "null") in (None, [])


# ---- spec / features ------------------------------------------------------------

def test_spec_writes_default_config(ctx):
    d = ctx.workdir / "specdir"
    d.mkdir()
    ctx.rt.ok("spec", cwd=d)
    cfg = json.loads((d / "config.json").read_text())
    for k in ("ociVersion", "process", "root", "linux", "mounts"):
        assert k in cfg, k
    assert cfg["root"]["path"] == "rootfs"
    d2 = ctx.workdir / "specdir2"
    d2.mkdir()
    ctx.rt.ok("spec", "--bundle", d2)
    assert json.loads((d2 / "config.json").read_text())["ociVersion"]


def test_features(ctx):
    f = json.loads(ctx.rt.ok("features").out)
    assert f["ociVersionMin"].startswith("1.0")
    assert f["ociVersionMax"].startswith("1.")
    assert {"prestart", "createRuntime", "createContainer", "startContainer",
            "poststart", "poststop"} <= set(f["hooks"])
    assert {"ro", "nosuid", "nodev", "noexec", "bind", "rbind"} <= set(f["mountOptions"])
    linux = f["linux"]
    assert {"pid", "network", "ipc", "uts", "mount", "user", "cgroup"} <= set(linux["namespaces"])
    assert "CAP_SYS_ADMIN" in linux["capabilities"]
