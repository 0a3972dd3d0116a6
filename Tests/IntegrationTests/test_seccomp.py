"""linux.seccomp: filters built from the runtime-spec section, checked from inside the
container with the probe's `sys:` op (raw syscalls, results as {"ret", "errno"}).

Syscall numbers and socket constants are x86_64's; the module is skipped elsewhere.
"""
import errno
import fcntl
import json
import os
import platform
import select
import shutil
import socket
import struct
import tempfile
import threading

import pytest

pytestmark = pytest.mark.skipif(platform.machine() != "x86_64", reason="x86_64 syscall numbers")

ARCHES = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
AF_UNIX, AF_INET, AF_INET6 = 1, 2, 10
SOCK_STREAM, SOCK_DGRAM, SOCK_CLOEXEC = 1, 2, 0o2000000
SIGSYS = 31
NR_MKDIR = 83

# Docker's default allowlist (moby profiles/seccomp/default.json, unconditional part),
# plus arch_prctl and socket: enough for a runtime's last init steps and the probe.
ALLOW = """
accept accept4 access adjtimex alarm bind brk capget capset chdir chmod chown chown32 chroot
clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64
clock_nanosleep clock_nanosleep_time64 close close_range connect copy_file_range creat dup dup2
dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait
epoll_wait_old eventfd eventfd2 execve execveat exit exit_group faccessat faccessat2 fadvise64
fadvise64_64 fallocate fanotify_mark fchdir fchmod fchmodat fchown fchown32 fchownat fcntl
fcntl64 fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat fstat64 fstatat64
fstatfs fstatfs64 fsync ftruncate ftruncate64 futex futex_time64 futex_waitv futimesat getcpu
getcwd getdents getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups
getgroups32 getitimer getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid
getresgid32 getresuid getresuid32 getrlimit get_robust_list getrusage getsid getsockname
getsockopt get_thread_area gettid gettimeofday getuid getuid32 getxattr inotify_add_watch
inotify_init inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy io_getevents
io_pgetevents io_pgetevents_time64 ioprio_get ioprio_set io_setup io_submit io_uring_enter
io_uring_register io_uring_setup ipc kill landlock_add_rule landlock_create_ruleset
landlock_restrict_self lchown lchown32 lgetxattr link linkat listen listxattr llistxattr _llseek
lremovexattr lseek lsetxattr lstat lstat64 madvise membarrier memfd_create memfd_secret mincore
mkdir mkdirat mknod mknodat mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify
mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap
msgctl msgget msgrcv msgsnd msync munlock munlockall munmap name_to_handle_at nanosleep
newfstatat _newselect open openat openat2 pause pidfd_open pidfd_send_signal pipe pipe2
pkey_alloc pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv preadv2
prlimit64 process_mrelease process_vm_readv process_vm_writev pselect6 pselect6_time64 ptrace
pwrite64 pwritev pwritev2 read readahead readlink readlinkat readv recv recvfrom recvmmsg
recvmmsg_time64 recvmsg remap_file_pages removexattr rename renameat renameat2 restart_syscall
rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend
rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity sched_getattr
sched_getparam sched_get_priority_max sched_get_priority_min sched_getscheduler
sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity sched_setattr
sched_setparam sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop
semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid setfsgid32 setfsuid
setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setpgid setpriority setregid
setregid32 setresgid setresgid32 setresuid setresuid32 setreuid setreuid32 setrlimit
set_robust_list setsid setsockopt set_thread_area set_tid_address setuid setuid32 setxattr shmat
shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 sigprocmask sigreturn socketcall
socketpair splice stat stat64 statfs statfs64 statx symlink symlinkat sync sync_file_range
syncfs sysinfo tee tgkill time timer_create timer_delete timer_getoverrun timer_gettime
timer_gettime64 timer_settime timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64
timerfd_settime timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask uname unlink
unlinkat utime utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid write
writev
""".split() + ["arch_prctl", "socket"]


def seccomp(default="SCMP_ACT_ALLOW", syscalls=(), **extra):
    s = {"defaultAction": default, "architectures": list(ARCHES), "syscalls": list(syscalls)}
    s.update(extra)
    return s


def rule(names, action="SCMP_ACT_ERRNO", args=None, errno_ret=None):
    r = {"names": list(names), "action": action}
    if args is not None:
        r["args"] = args
    if errno_ret is not None:
        r["errnoRet"] = errno_ret
    return r


def arg(index, op, value, value_two=None):
    a = {"index": index, "value": value, "op": op}
    if value_two is not None:
        a["valueTwo"] = value_two
    return a


def sys_results(ctx, profile, *ops):
    b = ctx.bundle(*[f"sys:{o}" for o in ops])
    b.linux["seccomp"] = profile
    info = ctx.run_probe(b)
    return info, {o: info["sys"][o]["errno"] for o in ops}


def run_raw(ctx, profile, *probe_ops):
    """Runs the probe without expecting success: (result, bundle)."""
    b = ctx.bundle("touch:/shared/ran", *probe_ops)
    b.linux["seccomp"] = profile
    b.write()
    return ctx.rt("run", "--bundle", b.path, ctx.new_id()), b


# ---- actions ---------------------------------------------------------------

def test_denied_syscall_gets_eperm_by_default(ctx):
    info, got = sys_results(ctx, seccomp(syscalls=[rule(["mkdir", "mkdirat"])]),
                            "mkdir:/dev/shm/wl-a", "rmdir:/dev/shm/wl-a", "getpid")
    assert got["mkdir:/dev/shm/wl-a"] == errno.EPERM
    assert got["rmdir:/dev/shm/wl-a"] == errno.ENOENT   # allowed: reaches the kernel
    assert got["getpid"] == 0
    assert info["status"]["Seccomp"] == "2"             # SECCOMP_MODE_FILTER


def test_errno_ret(ctx):
    _, got = sys_results(ctx, seccomp(syscalls=[rule(["mkdir"], errno_ret=errno.ENOSYS)]),
                         "mkdir:/dev/shm/wl-b")
    assert got["mkdir:/dev/shm/wl-b"] == errno.ENOSYS


def test_allowlist_with_default_errno(ctx):
    # Allowlist profile: listed syscalls work, the rest fail with defaultErrnoRet.
    profile = seccomp("SCMP_ACT_ERRNO", [rule(ALLOW, "SCMP_ACT_ALLOW")], defaultErrnoRet=errno.ENOTBLK)
    _, got = sys_results(ctx, profile, "mkdir:/dev/shm/wl-c", "rmdir:/dev/shm/wl-c", "acct:0",
                         "kexec_load:0:0:0:0")
    assert got["mkdir:/dev/shm/wl-c"] == 0
    assert got["rmdir:/dev/shm/wl-c"] == 0
    assert got["acct:0"] == errno.ENOTBLK
    assert got["kexec_load:0:0:0:0"] == errno.ENOTBLK


def test_allowlist_default_errno_is_eperm(ctx):
    _, got = sys_results(ctx, seccomp("SCMP_ACT_ERRNO", [rule(ALLOW, "SCMP_ACT_ALLOW")]), "acct:0")
    assert got["acct:0"] == errno.EPERM


@pytest.mark.parametrize("action", ["SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS"])
def test_kill_action(ctx, action):
    r, b = run_raw(ctx, seccomp(syscalls=[rule(["mkdir"], action)]), "sys:mkdir:/dev/shm/wl-d")
    assert (b.shared / "ran").exists(), r           # the process started ...
    assert r.rc == 128 + SIGSYS, r                  # ... and died of SIGSYS at mkdir
    assert r.out == "", r                           # before printing anything


def test_default_action_kill(ctx):
    profile = seccomp("SCMP_ACT_KILL_PROCESS", [rule(ALLOW, "SCMP_ACT_ALLOW")])
    _, got = sys_results(ctx, profile, "getpid", "mkdir:/dev/shm/wl-e")
    assert got == {"getpid": 0, "mkdir:/dev/shm/wl-e": 0}
    r, b = run_raw(ctx, profile, "sys:acct:0")
    assert (b.shared / "ran").exists(), r
    assert r.rc == 128 + SIGSYS, r


def test_log_and_trap_actions(ctx):
    # LOG lets the call through; TRAP delivers SIGSYS, which kills the probe.
    _, got = sys_results(ctx, seccomp(syscalls=[rule(["mkdir"], "SCMP_ACT_LOG")]), "mkdir:/dev/shm/wl-f")
    assert got["mkdir:/dev/shm/wl-f"] == 0
    r, _ = run_raw(ctx, seccomp(syscalls=[rule(["mkdir"], "SCMP_ACT_TRAP")]), "sys:mkdir:/dev/shm/wl-g")
    assert r.rc == 128 + SIGSYS, r


def test_unknown_syscall_names_are_skipped(ctx):
    profile = seccomp(syscalls=[rule(["wl_no_such_syscall", "mkdir"]),
                                rule(["another_bogus_call"], "SCMP_ACT_KILL")])
    _, got = sys_results(ctx, profile, "mkdir:/dev/shm/wl-h", "getpid")
    assert got == {"mkdir:/dev/shm/wl-h": errno.EPERM, "getpid": 0}


def test_rule_with_default_action_is_ignored(ctx):
    # runc drops rules whose action equals the default instead of failing.
    profile = seccomp(syscalls=[rule(["getpid"], "SCMP_ACT_ALLOW"), rule(["mkdir"])])
    _, got = sys_results(ctx, profile, "getpid", "mkdir:/dev/shm/wl-i")
    assert got == {"getpid": 0, "mkdir:/dev/shm/wl-i": errno.EPERM}


# ---- argument filters ---------------------------------------------------------

def test_personality_denied_only_for_query_value(ctx):
    profile = seccomp(syscalls=[rule(["personality"], args=[arg(0, "SCMP_CMP_EQ", 0xFFFFFFFF)],
                                     errno_ret=errno.ENOTBLK)])
    _, got = sys_results(ctx, profile, "personality:0xffffffff", "personality:0")
    assert got == {"personality:0xffffffff": errno.ENOTBLK, "personality:0": 0}


@pytest.mark.parametrize("op,value,denied,allowed", [
    ("SCMP_CMP_NE", AF_UNIX, AF_INET, AF_UNIX),
    ("SCMP_CMP_LT", AF_INET, AF_UNIX, AF_INET),
    ("SCMP_CMP_LE", AF_UNIX, AF_UNIX, AF_INET),
    ("SCMP_CMP_EQ", AF_INET, AF_INET, AF_UNIX),
    ("SCMP_CMP_GE", AF_INET6, AF_INET6, AF_INET),
    ("SCMP_CMP_GT", AF_INET, AF_INET6, AF_INET),
])
def test_socket_domain_operators(ctx, op, value, denied, allowed):
    profile = seccomp(syscalls=[rule(["socket"], args=[arg(0, op, value)])])
    d, a = f"socket:{denied}:{SOCK_DGRAM}:0", f"socket:{allowed}:{SOCK_DGRAM}:0"
    _, got = sys_results(ctx, profile, d, a)
    assert got == {d: errno.EPERM, a: 0}


def test_masked_eq(ctx):
    # Deny socket() when SOCK_CLOEXEC is set in the type: (arg1 & CLOEXEC) == CLOEXEC.
    profile = seccomp(syscalls=[rule(["socket"], args=[arg(1, "SCMP_CMP_MASKED_EQ", SOCK_CLOEXEC, SOCK_CLOEXEC)])])
    d, a = f"socket:{AF_UNIX}:{SOCK_STREAM | SOCK_CLOEXEC}:0", f"socket:{AF_UNIX}:{SOCK_STREAM}:0"
    _, got = sys_results(ctx, profile, d, a)
    assert got == {d: errno.EPERM, a: 0}


def test_args_on_different_indexes_are_anded(ctx):
    profile = seccomp(syscalls=[rule(["socket"], args=[arg(0, "SCMP_CMP_EQ", AF_INET),
                                                       arg(1, "SCMP_CMP_EQ", SOCK_DGRAM)])])
    ops = [f"socket:{AF_INET}:{SOCK_DGRAM}:0", f"socket:{AF_INET}:{SOCK_STREAM}:0",
           f"socket:{AF_UNIX}:{SOCK_DGRAM}:0"]
    _, got = sys_results(ctx, profile, *ops)
    assert got == {ops[0]: errno.EPERM, ops[1]: 0, ops[2]: 0}


def test_args_on_the_same_index_are_ored(ctx):
    # runc's special case: conditions sharing an index become separate rules (OR).
    profile = seccomp(syscalls=[rule(["socket"], args=[arg(0, "SCMP_CMP_EQ", AF_INET),
                                                       arg(0, "SCMP_CMP_EQ", AF_INET6)])])
    ops = [f"socket:{AF_INET}:{SOCK_DGRAM}:0", f"socket:{AF_INET6}:{SOCK_DGRAM}:0",
           f"socket:{AF_UNIX}:{SOCK_DGRAM}:0"]
    _, got = sys_results(ctx, profile, *ops)
    assert got == {ops[0]: errno.EPERM, ops[1]: errno.EPERM, ops[2]: 0}


# ---- flags --------------------------------------------------------------------

@pytest.mark.parametrize("flag", ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                  "SECCOMP_FILTER_FLAG_SPEC_ALLOW"])
def test_flags(ctx, flag):
    ctx.known_difference("runc", "runc 1.1.x rejects every linux.seccomp.flags entry "
                                 "(\"seccomp flags are not yet supported by runc\"); runc 1.2 accepts them")
    _, got = sys_results(ctx, seccomp(syscalls=[rule(["mkdir"])], flags=[flag]), "mkdir:/dev/shm/wl-j")
    assert got["mkdir:/dev/shm/wl-j"] == errno.EPERM


# ---- invalid profiles fail before the process runs ------------------------------

@pytest.mark.parametrize("profile", [
    seccomp("SCMP_ACT_BOGUS"),
    seccomp(syscalls=[rule(["mkdir"], "SCMP_ACT_BOGUS")]),
    seccomp(syscalls=[rule(["wl_no_such_syscall"], "SCMP_ACT_BOGUS")]),
    seccomp(syscalls=[rule(["socket"], args=[arg(0, "SCMP_CMP_BOGUS", 2)])]),
    seccomp(architectures=["SCMP_ARCH_BOGUS"]),
    seccomp(flags=["SECCOMP_FILTER_FLAG_BOGUS"]),
], ids=["default-action", "action", "action-unknown-syscall", "operator", "arch", "flag"])
def test_invalid_profile_is_rejected(ctx, profile):
    r, b = run_raw(ctx, profile)
    assert r.rc != 0, r
    assert not (b.shared / "ran").exists(), r


# ---- SCMP_ACT_NOTIFY ------------------------------------------------------------

SECCOMP_IOCTL_NOTIF_RECV = 0xC0502100   # _IOWR('!', 0, struct seccomp_notif)   (80 bytes)
SECCOMP_IOCTL_NOTIF_SEND = 0xC0182101   # _IOWR('!', 1, struct seccomp_notif_resp) (24 bytes)


class Agent(threading.Thread):
    """A seccomp agent: receives containerProcessState + the listener fd, then answers
    every notification with -answer_errno."""

    def __init__(self, path, answer_errno):
        super().__init__(daemon=True)
        self.answer_errno = answer_errno
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(path)
        self.srv.listen(1)
        self.srv.settimeout(30)
        self.state, self.nfds, self.seen, self.error = None, 0, [], None
        self.stop = threading.Event()

    def run(self):
        try:
            conn, _ = self.srv.accept()
            with conn:
                # The runtime may keep the connection open: read until the JSON is whole.
                msg, fds, _, _ = socket.recv_fds(conn, 1 << 16, 4)
                while True:
                    try:
                        self.state = json.loads(msg)
                        break
                    except ValueError:
                        more = conn.recv(1 << 16)
                        if not more:
                            raise
                        msg += more
            self.nfds = len(fds)
            for fd in fds[1:]:
                os.close(fd)
            fd = fds[0]
            try:
                self.serve(fd)
            finally:
                os.close(fd)
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = e
        finally:
            self.srv.close()

    def serve(self, fd):
        p = select.poll()
        p.register(fd, select.POLLIN)
        while not self.stop.is_set():
            ev = p.poll(100)
            if not ev:
                continue
            if not ev[0][1] & select.POLLIN:
                return          # POLLHUP: no task uses the filter any more
            req = bytearray(80)
            try:
                fcntl.ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req, True)
            except OSError as e:
                if e.errno in (errno.EINTR, errno.ENOENT):
                    continue
                raise
            nid, _pid, _flags, nr = struct.unpack_from("<QIIi", req)
            self.seen.append(nr)
            resp = bytearray(struct.pack("<QqiI", nid, 0, -self.answer_errno, 0))
            try:
                fcntl.ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp, True)
            except OSError as e:
                if e.errno != errno.ENOENT:   # the task went away meanwhile
                    raise


def test_notify_sends_listener_fd_and_state(ctx):
    d = tempfile.mkdtemp(prefix="wl-sa-")   # short: sun_path is 108 bytes
    ctx.cleanups.append(lambda: shutil.rmtree(d, ignore_errors=True))
    path = os.path.join(d, "agent.sock")
    agent = Agent(path, errno.EXDEV)
    agent.start()
    ctx.cleanups.append(lambda: (agent.stop.set(), agent.join(10)))

    profile = seccomp(syscalls=[rule(["mkdir"], "SCMP_ACT_NOTIFY")], listenerPath=path,
                      listenerMetadata="wl-meta")
    b = ctx.bundle("sys:mkdir:/dev/shm/wl-k", "sys:getpid")
    b.linux["seccomp"] = profile
    cid = ctx.new_id()
    info = ctx.run_probe(b, cid=cid)
    agent.stop.set()
    agent.join(10)
    assert agent.error is None, agent.error
    assert info["sys"]["mkdir:/dev/shm/wl-k"]["errno"] == errno.EXDEV   # answered by the agent
    assert info["sys"]["getpid"]["errno"] == 0
    assert agent.seen == [NR_MKDIR]
    st = agent.state
    assert agent.nfds == 1 and st["fds"] == ["seccompFd"], st
    assert st["metadata"] == "wl-meta", st
    assert st["ociVersion"], st
    assert st["state"]["id"] == cid, st
    assert st["pid"] > 0 and st["state"]["pid"] == st["pid"], st
    assert st["state"]["bundle"] == str(b.path), st


def test_notify_without_listener_path_is_rejected(ctx):
    r, b = run_raw(ctx, seccomp(syscalls=[rule(["mkdir"], "SCMP_ACT_NOTIFY")]))
    assert r.rc != 0, r
    assert not (b.shared / "ran").exists(), r


def test_notify_on_write_is_rejected(ctx):
    r, b = run_raw(ctx, seccomp(syscalls=[rule(["write"], "SCMP_ACT_NOTIFY")], listenerPath="/nonexistent.sock"))
    assert r.rc != 0, r
    assert not (b.shared / "ran").exists(), r
