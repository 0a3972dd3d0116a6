"""Errors: clear message, non-zero exit, and nothing left behind."""
import os
import time

import pytest

import harness as H


def assert_nothing_left(ctx, cid, bundle, state_expected=False):
    if not state_expected:
        assert not (ctx.rt.root / cid).exists(), f"state dir left for {cid}"
    assert not H.host_mount_lines_mentioning(bundle.path), "mounts left behind"
    H.wait_until(lambda: not H.procs_of_container(cid, bundle.path), timeout=3,
                 what=f"no processes left for {cid}")
    if not state_expected:
        assert not H.cgroup_dirs_of(cid), "cgroups left behind"


def failing(ctx, r, *needles):
    assert r.rc != 0 and r.rc != "timeout", r
    text = ctx.rt.failure_text(r)
    assert text.strip(), f"failed without saying why: {r}"
    low = text.lower()
    assert any(n.lower() in low for n in needles), f"want one of {needles} in: {text}"
    return text


@pytest.mark.parametrize("verb", ["create", "run"])
def test_missing_config(ctx, verb):
    b = ctx.bundle()  # never written
    cid = ctx.new_id()
    r = ctx.rt(verb, "--bundle", b.path, cid)
    failing(ctx, r, "config.json")
    assert_nothing_left(ctx, cid, b)


@pytest.mark.parametrize("verb", ["create", "run"])
def test_malformed_config(ctx, verb):
    b = ctx.bundle()
    (b.path / "config.json").write_text('{"ociVersion": "1.0.2", "process": {')
    cid = ctx.new_id()
    r = ctx.rt(verb, "--bundle", b.path, cid)
    failing(ctx, r, "config", "json", "unexpected end", "eof")
    assert_nothing_left(ctx, cid, b)


def test_malformed_config_message_names_the_file(ctx):
    ctx.known_difference("runc", 'says only "unexpected EOF" for a truncated config.json')
    b = ctx.bundle()
    (b.path / "config.json").write_text('{"ociVersion": "1.0.2", "process": {')
    cid = ctx.new_id()
    failing(ctx, ctx.rt("create", "--bundle", b.path, cid), "config.json")
    assert_nothing_left(ctx, cid, b)


def test_config_with_wrong_types(ctx):
    b = ctx.bundle()
    (b.path / "config.json").write_text('{"ociVersion": "1.0.2", "process": 5, "root": {}}')
    cid = ctx.new_id()
    failing(ctx, ctx.rt("create", "--bundle", b.path, cid), "process", "json", "config")
    assert_nothing_left(ctx, cid, b)


def test_missing_executable(ctx):
    b = ctx.bundle(args=["/bin/does-not-exist"]).write()
    cid = ctx.new_id()
    r = ctx.rt("run", "--bundle", b.path, cid)
    failing(ctx, r, "no such file", "not found", "does-not-exist")
    assert_nothing_left(ctx, cid, b)


@pytest.mark.parametrize("verb", [["state"], ["start"], ["kill"], ["kill", "KILL"], ["delete"],
                                  ["pause"], ["resume"]])
def test_unknown_id(ctx, verb):
    cid = "nosuch" + ctx.token
    r = ctx.rt(verb[0], cid, *verb[1:])
    failing(ctx, r, "does not exist")
    assert not (ctx.rt.root / cid).exists()


def test_duplicate_id(ctx):
    b = ctx.bundle(args=["/bin/sleep", "30"])
    cid = ctx.create(b)
    before = ctx.rt.state(cid)
    b2 = ctx.bundle(args=["/bin/sleep", "30"]).write()
    r = ctx.rt("create", "--bundle", b2.path, cid, stdout_path=b2.path / "stdout")
    failing(ctx, r, "exists")
    after = ctx.rt.state(cid)
    assert after["pid"] == before["pid"] and after["bundle"] == str(b.path), (before, after)
    assert after["status"] == "created"
    assert not H.host_mount_lines_mentioning(b2.path)
    assert not H.procs_of_container("none", b2.path)


@pytest.mark.parametrize("sig", ["FOO", "SIGFOO", "999", "-1"])
def test_bad_signal(ctx, sig):
    b = ctx.bundle(args=["/bin/sleep", "30"])
    cid = ctx.create(b)
    ctx.rt.ok("start", cid)
    r = ctx.rt("kill", cid, sig)
    failing(ctx, r, "signal")
    assert ctx.rt.status(cid) == "running"


def test_start_running(ctx):
    b = ctx.bundle(args=["/bin/sleep", "30"])
    cid = ctx.create(b)
    ctx.rt.ok("start", cid)
    r = ctx.rt("start", cid)
    failing(ctx, r, "running", "cannot start")
    assert ctx.rt.status(cid) == "running"


def test_start_stopped(ctx):
    b = ctx.bundle(args=["/bin/true"])
    cid = ctx.create(b)
    ctx.rt.ok("start", cid)
    ctx.rt.wait_status(cid, "stopped")
    r = ctx.rt("start", cid)
    failing(ctx, r, "stopped", "cannot start", "not running")


def test_kill_stopped(ctx):
    b = ctx.bundle(args=["/bin/true"])
    cid = ctx.create(b)
    ctx.rt.ok("start", cid)
    ctx.rt.wait_status(cid, "stopped")
    r = ctx.rt("kill", cid, "KILL")
    failing(ctx, r, "container not running")
    assert ctx.rt.status(cid) == "stopped"


def test_delete_running_without_force(ctx):
    b = ctx.bundle(args=["/bin/sleep", "30"])
    cid = ctx.create(b)
    ctx.rt.ok("start", cid)
    r = ctx.rt("delete", cid)
    failing(ctx, r, f"cannot delete container {cid} that is not stopped")
    assert ctx.rt.status(cid) == "running"
    assert (ctx.rt.root / cid).exists()


def test_error_is_last_json_log_line(ctx):
    b = ctx.bundle(args=["/bin/sleep", "30"])
    cid = ctx.create(b)
    ctx.rt.ok("start", cid)
    r = ctx.rt("delete", cid)
    assert r.rc != 0
    entries = ctx.rt.log_entries()
    assert entries and entries[-1]["level"] == "error", entries[-3:]
    assert "not stopped" in entries[-1]["msg"], entries[-1]


def test_invalid_id(ctx):
    b = ctx.bundle().write()
    r = ctx.rt("create", "--bundle", b.path, "../escape", stdout_path=b.path / "stdout")
    failing(ctx, r, "invalid", "id")
    assert not (ctx.rt.root.parent / "escape").exists()
    assert not H.host_mount_lines_mentioning(b.path)


def test_missing_rootfs(ctx):
    b = ctx.bundle()
    b.config["root"]["path"] = "no-such-rootfs"
    b.write()
    cid = ctx.new_id()
    r = ctx.rt("run", "--bundle", b.path, cid)
    failing(ctx, r, "rootfs", "no such file", "no-such-rootfs")
    assert_nothing_left(ctx, cid, b)
