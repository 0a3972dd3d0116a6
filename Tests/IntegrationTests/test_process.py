"""Process settings, each checked from inside the container by the probe."""
import os

import pytest

import harness as H


def test_hostname(ctx):
    b = ctx.bundle()
    b.config["hostname"] = "wl-host"
    assert ctx.run_probe(b)["hostname"] == "wl-host"


def test_domainname(ctx):
    ctx.known_difference("runc", "runc 1.1.x ignores `domainname` (support arrived in runc 1.2)")
    b = ctx.bundle()
    b.config["hostname"] = "wl-host"
    b.config["domainname"] = "wl.example"
    info = ctx.run_probe(b)
    assert info["hostname"] == "wl-host"
    assert info["domainname"] == "wl.example"


def test_user_groups_umask(ctx):
    b = ctx.bundle()
    b.process["user"] = {"uid": 1000, "gid": 1001, "additionalGids": [10, 20], "umask": 0o027}
    info = ctx.run_probe(b)
    assert (info["uid"], info["euid"], info["gid"], info["egid"]) == (1000, 1000, 1001, 1001)
    assert {10, 20} <= set(info["groups"]), info["groups"]
    assert info["umask"] == "0027"


def test_default_umask(ctx):
    info = ctx.run_probe(ctx.bundle())
    assert info["umask"] == "0022"


def test_env_and_cwd(ctx):
    b = ctx.bundle()
    b.process["env"] = ["PATH=/bin", "FOO=bar baz", "EMPTY="]
    b.process["cwd"] = "/tmp"
    info = ctx.run_probe(b)
    assert info["cwd"] == "/tmp"
    for e in ("PATH=/bin", "FOO=bar baz", "EMPTY="):
        assert e in info["env"], info["env"]


def test_cwd_created_if_missing(ctx):
    b = ctx.bundle()
    b.config["root"]["readonly"] = False
    b.process["cwd"] = "/does/not/exist"
    info = ctx.run_probe(b)
    assert info["cwd"] == "/does/not/exist"


def test_rlimits(ctx):
    b = ctx.bundle()
    b.process["rlimits"] = [
        {"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024},
        {"type": "RLIMIT_CORE", "soft": 0, "hard": 4096},
        {"type": "RLIMIT_NPROC", "soft": 300, "hard": 400},
    ]
    r = ctx.run_probe(b)["rlimits"]
    assert r["RLIMIT_NOFILE"] == [512, 1024]
    assert r["RLIMIT_CORE"] == [0, 4096]
    assert r["RLIMIT_NPROC"] == [300, 400]


def caps(info):
    s = info["status"]
    return {k: int(s[k], 16) for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")}


def test_capabilities_all_five_sets_non_root(ctx):
    """For a non-root user, after execve permitted = effective = ambient."""
    b = ctx.bundle()
    b.process["user"] = {"uid": 1000, "gid": 1000}
    b.process["capabilities"] = {
        "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
        "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
        "effective": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
        "inheritable": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
        "ambient": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
    }
    c = caps(ctx.run_probe(b))
    kn = H.cap_mask(["CAP_KILL", "CAP_NET_BIND_SERVICE"])
    assert c["CapBnd"] == H.cap_mask(["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]), c
    assert c["CapInh"] == kn, c
    assert c["CapAmb"] == kn, c
    assert c["CapPrm"] == kn, c
    assert c["CapEff"] == kn, c


def test_capabilities_root(ctx):
    b = ctx.bundle()
    b.process["capabilities"] = {k: ["CAP_KILL", "CAP_SYS_CHROOT"]
                                 for k in ("bounding", "permitted", "effective")}
    c = caps(ctx.run_probe(b))
    m = H.cap_mask(["CAP_KILL", "CAP_SYS_CHROOT"])
    assert c["CapBnd"] == m and c["CapPrm"] == m and c["CapEff"] == m, c
    assert c["CapAmb"] == 0 and c["CapInh"] == 0, c


def test_no_capabilities(ctx):
    b = ctx.bundle()
    b.process["capabilities"] = {}
    c = caps(ctx.run_probe(b))
    assert c == {"CapInh": 0, "CapPrm": 0, "CapEff": 0, "CapBnd": 0, "CapAmb": 0}, c


@pytest.mark.parametrize("nnp", [True, False])
def test_no_new_privileges(ctx, nnp):
    b = ctx.bundle()
    b.process["noNewPrivileges"] = nnp
    info = ctx.run_probe(b)
    assert info["status"]["NoNewPrivs"] == ("1" if nnp else "0")


def test_oom_score_adj(ctx):
    b = ctx.bundle()
    b.process["oomScoreAdj"] = 500
    assert ctx.run_probe(b)["oom_score_adj"] == "500"


def test_sysctl_net_in_new_netns(ctx):
    host_before = open("/proc/sys/net/ipv4/ip_forward").read()
    want = "0" if host_before.strip() == "1" else "1"
    b = ctx.bundle("read:/proc/sys/net/ipv4/ip_forward")
    b.linux["sysctl"] = {"net.ipv4.ip_forward": want}
    info = ctx.run_probe(b)
    assert info["read"]["/proc/sys/net/ipv4/ip_forward"] == want
    assert open("/proc/sys/net/ipv4/ip_forward").read() == host_before, "host sysctl changed"


def test_sysctl_ipc_in_new_ipcns(ctx):
    host_before = open("/proc/sys/kernel/msgmax").read()
    b = ctx.bundle("read:/proc/sys/kernel/msgmax")
    b.linux["sysctl"] = {"kernel.msgmax": "4096"}
    info = ctx.run_probe(b)
    assert info["read"]["/proc/sys/kernel/msgmax"] == "4096"
    assert open("/proc/sys/kernel/msgmax").read() == host_before, "host sysctl changed"


def test_args_passed_verbatim(ctx):
    b = ctx.bundle(args=["/bin/sh", "-c", 'printf "%s|" "$@" > /shared/args', "sh",
                         "a b", "", "c\"d"])
    b.write()
    ctx.rt.ok("run", "--bundle", b.path, ctx.new_id())
    assert (b.shared / "args").read_text() == 'a b||c"d|'
