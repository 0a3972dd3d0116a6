"""exec: a second process in a running container (inline args, --process,
flags), its namespaces and cgroup, detached/tty/preserved fds, refusals."""
import json
import os
import subprocess
import time

import harness as H
from test_terminal import ConsoleReceiver

SLEEP = ["/bin/sleep", "60"]


def running(ctx, nnp=True):
    b = ctx.bundle(args=SLEEP)
    b.process["noNewPrivileges"] = nnp
    cid = ctx.create(b)
    ctx.rt.ok("start", cid)
    return b, cid, ctx.rt.state(cid)["pid"]


def probe_json(r):
    assert r.rc == 0, r
    try:
        return json.loads(r.out)
    except ValueError:
        raise AssertionError(f"exec output is not probe JSON: {r}")


def test_exec_inline_args(ctx):
    b, cid, pid = running(ctx)
    info = probe_json(ctx.rt("exec", cid, "/bin/probe", "read:/proc/1/cmdline"))
    assert info["pid"] != 1
    assert info["read"]["/proc/1/cmdline"].split("\0")[0] == "/bin/sleep"
    assert info["hostname"] == "warmlane-it"
    assert info["uid"] == 0 and info["cwd"] == "/"


def test_exec_process_file(ctx):
    b, cid, pid = running(ctx)
    proc = {"terminal": False, "user": {"uid": 1000, "gid": 1000},
            "args": ["/bin/probe", "exit:3"], "env": ["PATH=/bin", "WL_FROM=process-json"],
            "cwd": "/tmp", "noNewPrivileges": True}
    f = ctx.workdir / "process.json"
    f.write_text(json.dumps(proc))
    r = ctx.rt("exec", "--process", f, cid)
    assert r.rc == 3, r
    info = json.loads(r.out)
    assert "WL_FROM=process-json" in info["env"], info["env"]
    assert info["cwd"] == "/tmp" and info["uid"] == 1000 and info["gid"] == 1000


def test_exec_exit_code(ctx):
    b, cid, pid = running(ctx)
    assert ctx.rt("exec", cid, "/bin/sh", "-c", "exit 7").rc == 7
    assert ctx.rt("exec", cid, "/bin/true").rc == 0


def test_exec_env_cwd_user_groups(ctx):
    b, cid, pid = running(ctx)
    info = probe_json(ctx.rt("exec", "--env", "WL_A=1", "--env", "WL_B=two words", "--cwd", "/tmp",
                             "--user", "1000:1001", "--additional-gids", "5",
                             "--additional-gids", "65534", cid, "/bin/probe"))
    assert "WL_A=1" in info["env"] and "WL_B=two words" in info["env"], info["env"]
    assert any(e.startswith("PATH=") for e in info["env"]), "config env must be kept"
    assert info["cwd"] == "/tmp"
    assert (info["uid"], info["gid"], info["euid"], info["egid"]) == (1000, 1001, 1000, 1001)
    assert {5, 65534} <= set(info["groups"]), info["groups"]


def test_exec_cap(ctx):
    b, cid, pid = running(ctx)
    sys_admin = H.cap_mask(["CAP_SYS_ADMIN"])
    plain = probe_json(ctx.rt("exec", cid, "/bin/probe"))
    assert not int(plain["status"]["CapEff"], 16) & sys_admin
    info = probe_json(ctx.rt("exec", "--cap", "CAP_SYS_ADMIN", cid, "/bin/probe"))
    eff = int(info["status"]["CapEff"], 16)
    assert eff & sys_admin, info["status"]
    assert int(info["status"]["CapBnd"], 16) & sys_admin, info["status"]
    assert eff & H.cap_mask(["CAP_KILL"]), "config caps must be kept"


def test_exec_no_new_privs(ctx):
    b, cid, pid = running(ctx, nnp=False)
    assert probe_json(ctx.rt("exec", cid, "/bin/probe"))["status"]["NoNewPrivs"] == "0"
    info = probe_json(ctx.rt("exec", "--no-new-privs", cid, "/bin/probe"))
    assert info["status"]["NoNewPrivs"] == "1"


def test_exec_detach_pid_file_and_ps(ctx):
    b, cid, pid = running(ctx)
    pf = ctx.workdir / "exec.pid"
    r = ctx.rt("exec", "--detach", "--pid-file", pf, cid, "/bin/sleep", "30", timeout=10)
    assert r.rc == 0, r
    epid = int(pf.read_text())
    assert epid != pid and os.path.exists(f"/proc/{epid}")
    with open(f"/proc/{epid}/cmdline", "rb") as f:
        assert f.read().split(b"\0")[:2] == [b"/bin/sleep", b"30"]
    ps = json.loads(ctx.rt.ok("ps", "--format", "json", cid).out)
    assert pid in ps and epid in ps, (pid, epid, ps)
    ps2 = json.loads(ctx.rt.ok("ps", "-f", "json", cid).out)
    assert epid in ps2


def test_delete_force_after_detached_exec(ctx):
    """A detached exec'd process is adopted outside the container (by the host's init here,
    a subreaper under an engine), so after SIGKILL its zombie waits for that reaper, and
    the container's init stays in exit until then. delete -f must still remove everything.
    (Whether it waits for the reaper depends on how fast the host's init reaps here; the
    QEMU guest, whose init never reaps, checks that warmlane does not wait.)"""
    b, cid, pid = running(ctx)
    pf = ctx.workdir / "exec.pid"
    ctx.rt.ok("exec", "--detach", "--pid-file", pf, cid, "/bin/sleep", "60", timeout=10)
    epid = int(pf.read_text())
    ctx.rt.ok("delete", "--force", cid, timeout=20)
    assert not H.cgroup_dirs_of(cid)
    for p in (pid, epid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        # Gone, a zombie, or in exit (PF_EXITING) waiting for its reaper.
        assert fields[0] in ("Z", "X") or int(fields[6]) & 0x4, (p, fields[0])


def test_exec_tty_console_socket(ctx):
    b, cid, pid = running(ctx)
    rcv = ConsoleReceiver()
    try:
        r = ctx.rt("exec", "--tty", "--detach", "--console-socket", rcv.path, cid,
                   "/bin/sh", "-c", "tty; echo wl-exec-tty-ok")
        assert r.rc == 0, r
        assert os.isatty(rcv.wait_master())
        raw = rcv.read_all(timeout=10)
    finally:
        rcv.close()
    assert b"wl-exec-tty-ok" in raw, raw
    assert b"/dev/pts/" in raw, raw


def test_exec_joins_namespaces_and_cgroup(ctx):
    b, cid, pid = running(ctx)
    info = probe_json(ctx.rt("exec", cid, "/bin/probe", "read:/proc/self/cgroup"))
    init_ns = {}
    for n in info["ns"]:
        init_ns[n] = os.readlink(f"/proc/{pid}/ns/{n}")
    assert info["ns"] == init_ns
    for n in ("mnt", "pid", "net", "ipc", "uts"):
        assert init_ns[n] != os.readlink(f"/proc/self/ns/{n}"), f"init shares the host's {n} ns?"
    with open(f"/proc/{pid}/cgroup") as f:
        assert info["read"]["/proc/self/cgroup"].strip() == f.read().strip()


def test_exec_paused_fails(ctx):
    b, cid, pid = running(ctx)
    ctx.rt.ok("pause", cid)
    r = ctx.rt("exec", cid, "/bin/true", timeout=10)
    assert r.rc not in (0, "timeout"), r
    assert ctx.rt.status(cid) == "paused"
    ctx.rt.ok("resume", cid)
    assert ctx.rt("exec", cid, "/bin/true").rc == 0


def test_exec_preserve_fds(ctx):
    b, cid, pid = running(ctx)
    out = ctx.workdir / "fd3.txt"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        r = ctx.rt("exec", "--preserve-fds", "1", cid, "/bin/sh", "-c",
                   "echo wl-fd3 >&3; ls -l /proc/self/fd/ >&3",
                   preexec_fn=lambda: os.dup2(fd, 3), pass_fds=(3,))
    finally:
        os.close(fd)
    assert r.rc == 0, r
    text = out.read_text()
    assert "wl-fd3" in text, text
    # without --preserve-fds the fd is not passed
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        r = ctx.rt("exec", cid, "/bin/sh", "-c", "echo wl-fd3 >&3",
                   preexec_fn=lambda: os.dup2(fd, 3), pass_fds=(3,))
    finally:
        os.close(fd)
    assert r.rc != 0, r
    assert out.read_text() == ""


def test_exec_stopped_fails(ctx):
    b = ctx.bundle("exit:0")
    cid = ctx.create(b)
    ctx.rt.ok("start", cid)
    ctx.rt.wait_status(cid, "stopped")
    r = ctx.rt("exec", cid, "/bin/true")
    assert r.rc != 0, r



def test_exec_ignore_paused(ctx):
    """--ignore-paused: the exec is accepted, its process sits in the frozen
    cgroup, and runs (and exec returns) once the container is resumed."""
    b, cid, pid = running(ctx)
    ctx.rt.ok("pause", cid)
    err = ctx.workdir / "exec-ignore-paused.err"
    with open(err, "wb") as e:
        p = subprocess.Popen(ctx.rt.argv("exec", "--ignore-paused", cid, "/bin/touch", "/shared/ran"),
                             stdin=subprocess.DEVNULL, stdout=e, stderr=e)
    try:
        time.sleep(0.5)
        assert p.poll() is None, f"exec --ignore-paused returned {p.returncode}: {err.read_text()}"
        assert not (b.shared / "ran").exists(), "exec'd process ran inside a paused container"
        ctx.rt.ok("resume", cid)
        assert p.wait(timeout=10) == 0, err.read_text()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=10)
    assert (b.shared / "ran").exists()


def test_exec_env_overrides_config_env(ctx):
    b, cid, pid = running(ctx)
    info = probe_json(ctx.rt("exec", "--env", "TERM=dumb", cid, "/bin/probe"))
    terms = [e for e in info["env"] if e.startswith("TERM=")]
    assert terms == ["TERM=dumb"], info["env"]


def test_exec_user_uid_only(ctx):
    b, cid, pid = running(ctx)
    info = probe_json(ctx.rt("exec", "--user", "1000", cid, "/bin/probe"))
    assert (info["uid"], info["gid"]) == (1000, 0)


def test_ps_table_lists_exec(ctx):
    b, cid, pid = running(ctx)
    pf = ctx.workdir / "exec.pid"
    ctx.rt.ok("exec", "-d", "--pid-file", pf, cid, "/bin/sleep", "31", timeout=10)
    epid = int(pf.read_text())
    out = ctx.rt.ok("ps", cid).out.splitlines()
    assert out and "PID" in out[0].split(), out
    pids = {int(l.split()[1]) for l in out[1:] if l.split()}
    assert {pid, epid} <= pids, out
