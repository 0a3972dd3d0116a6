"""process.terminal with --console-socket: receive the pty master over SCM_RIGHTS."""
import array
import json
import os
import select
import socket
import tempfile
import threading
import time

import harness as H


class ConsoleReceiver:
    """What containerd / runc's recvtty do: accept one connection on a unix
    socket and take the pty master fd out of an SCM_RIGHTS message."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="wl-cs-", dir="/tmp")  # sun_path is short
        self.path = os.path.join(self.dir, "console.sock")
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(self.path)
        self.srv.listen(1)
        self.srv.settimeout(20)
        self.master = None
        self.error = None
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        try:
            conn, _ = self.srv.accept()
            with conn:
                fds = array.array("i")
                msg, anc, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(fds.itemsize * 4))
                for level, typ, data in anc:
                    if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                        fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
                self.master = fds[0] if fds else None
                for extra in fds[1:]:
                    os.close(extra)
        except Exception as e:  # noqa: BLE001 - surfaced by the test
            self.error = e

    def wait_master(self, timeout=20):
        self.thread.join(timeout)
        assert self.master is not None, f"no pty master received ({self.error!r})"
        return self.master

    def read_all(self, timeout=20):
        """Reads until the slave side closes (EIO) or timeout."""
        out = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.master], [], [], 0.2)
            if r:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    break  # EIO: slave closed
                if not chunk:
                    break
                out += chunk
        return out

    def close(self):
        if self.master is not None:
            os.close(self.master)
        self.srv.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass
        os.rmdir(self.dir)


def test_terminal_console_socket(ctx):
    rcv = ConsoleReceiver()
    try:
        b = ctx.bundle("stat:/dev/console")
        b.process["terminal"] = True
        cid = ctx.create(b, None, "--console-socket", rcv.path)
        master = rcv.wait_master()
        assert os.isatty(master)
        ctx.rt.ok("start", cid)
        raw = rcv.read_all()
        ctx.rt.wait_status(cid, "stopped")
    finally:
        rcv.close()
    text = raw.decode(errors="replace").replace("\r\n", "\n")
    info = json.loads(text[text.index("{"):])
    for fd in ("0", "1", "2"):
        assert info["fds"][fd].startswith("/dev/pts/"), info["fds"]
    console = info["stat"]["/dev/console"]
    assert console is not None and console["type"] == "c" and console["major"] == 136, console


def test_terminal_run_detached(ctx):
    rcv = ConsoleReceiver()
    try:
        b = ctx.bundle(args=["/bin/sh", "-c", "tty; echo wl-terminal-ok"])
        b.process["terminal"] = True
        b.write()
        cid = ctx.new_id()
        r = ctx.rt("run", "-d", "--console-socket", rcv.path, "--bundle", b.path, cid)
        assert r.rc == 0, r
        rcv.wait_master()
        raw = rcv.read_all()
    finally:
        rcv.close()
    assert b"wl-terminal-ok" in raw, raw
    assert b"/dev/pts/" in raw, raw


def test_terminal_without_console_socket_fails(ctx):
    b = ctx.bundle()
    b.process["terminal"] = True
    b.write()
    cid = ctx.new_id()
    r = ctx.rt("create", "--bundle", b.path, cid, stdout_path=b.path / "stdout")
    assert r.rc != 0, r
    assert "console" in ctx.rt.failure_text(r).lower(), r
    assert ctx.rt.status(cid) is None
