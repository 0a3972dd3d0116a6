#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OCI

/// A default profile equivalent to Docker's (moby `profiles/seccomp/default.json`):
/// an allowlist, everything else fails with EPERM. The capability-conditional parts are
/// resolved for Docker's default capability set (CHOWN, DAC_OVERRIDE, FSETID, FOWNER,
/// MKNOD, NET_RAW, SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL,
/// AUDIT_WRITE): `chroot` is allowed; without CAP_SYS_ADMIN `clone` may not create
/// namespaces and `clone3` fails with ENOSYS so libcs fall back to `clone`; mount,
/// unshare, setns, bpf, ptrace-on-others' (kcmp, pidfd_getfd), module, reboot, clock
/// setting and the like stay denied. The kernel-version condition (ptrace and
/// process_vm_* from Linux 4.8) is taken as met.
public enum DefaultSeccompProfile {
    /// The profile for the architecture this binary was built for.
    public static func docker() -> OCI.Seccomp {
        var syscalls: [Rule] = [Rule(names: allowed + archAllowed, action: "SCMP_ACT_ALLOW")]
        // AF_VSOCK (40) sockets are denied; every other family is allowed.
        syscalls.append(Rule(names: ["socket"], action: "SCMP_ACT_ALLOW", args: [Arg(index: 0, value: 40, op: "SCMP_CMP_NE")]))
        // personality(2): only the harmless personas (PER_LINUX, PER_LINUX32, UNAME26
        // variants) and the 0xffffffff query.
        for p: UInt64 in [0x0, 0x8, 0x20000, 0x20008, 0xffff_ffff] {
            syscalls.append(Rule(names: ["personality"], action: "SCMP_ACT_ALLOW", args: [Arg(index: 0, value: p, op: "SCMP_CMP_EQ")]))
        }
        // clone(2) without any CLONE_NEW* flag (no CAP_SYS_ADMIN in the default set).
        // s390 passes the flags as the second argument.
        syscalls.append(Rule(names: ["clone"], action: "SCMP_ACT_ALLOW",
                             args: [Arg(index: cloneFlagsIndex, value: cloneNamespaceFlags, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ")]))
        // clone3 flags live in a struct seccomp cannot inspect: ENOSYS makes glibc fall back to clone.
        syscalls.append(Rule(names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: UInt32(38)))
        return OCI.Seccomp(defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1,
                           architectures: architectures, syscalls: syscalls)
    }

    /// CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET.
    static let cloneNamespaceFlags: UInt64 = 0x7E02_0000

    #if arch(s390x)
    static let cloneFlagsIndex: UInt = 1
    #else
    static let cloneFlagsIndex: UInt = 0
    #endif

    #if arch(x86_64)
    static let architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
    static let archAllowed = ["arch_prctl", "modify_ldt"]
    #elseif arch(arm64)
    static let architectures = ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]
    static let archAllowed = ["arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint",
                              "cacheflush", "set_tls"]
    #elseif arch(powerpc64le)
    static let architectures = ["SCMP_ARCH_PPC64LE"]
    static let archAllowed = ["sync_file_range2", "swapcontext"]
    #elseif arch(s390x)
    static let architectures = ["SCMP_ARCH_S390X", "SCMP_ARCH_S390"]
    static let archAllowed = ["s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"]
    #elseif arch(riscv64)
    static let architectures = ["SCMP_ARCH_RISCV64"]
    static let archAllowed = ["riscv_flush_icache"]
    #else
    static let architectures: [String] = []
    static let archAllowed: [String] = []
    #endif

    /// Allowed unconditionally, on every architecture (names another arch lacks are
    /// skipped at install time). Includes the entries gated on CAP_SYS_CHROOT (chroot)
    /// and on Linux >= 4.8 (ptrace, process_vm_readv, process_vm_writev).
    static let allowed: [String] = [
        "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset", "chdir",
        "chmod", "chown", "chown32", "chroot", "clock_adjtime", "clock_adjtime64", "clock_getres",
        "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
        "clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat", "dup",
        "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
        "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit",
        "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark",
        "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync",
        "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64",
        "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_time64",
        "futex_waitv", "futimesat", "getcpu", "getcwd", "getdents", "getdents64", "getegid", "getegid32",
        "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getitimer",
        "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid",
        "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list", "getrusage", "getsid",
        "getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid", "getuid32",
        "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
        "ioctl", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get",
        "ioprio_set", "io_setup", "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup",
        "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown",
        "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "_llseek",
        "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "membarrier", "memfd_create",
        "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall",
        "mmap", "mmap2", "mprotect", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive",
        "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl",
        "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap", "name_to_handle_at",
        "nanosleep", "newfstatat", "_newselect", "open", "openat", "openat2", "pause", "pidfd_open",
        "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll",
        "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease",
        "process_vm_readv", "process_vm_writev", "pselect6", "pselect6_time64", "ptrace", "pwrite64",
        "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom",
        "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat",
        "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending",
        "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
        "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr",
        "sched_getparam", "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
        "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
        "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget",
        "semop", "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg",
        "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups",
        "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32", "setresgid",
        "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit",
        "set_robust_list", "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid",
        "setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd",
        "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair", "splice", "stat", "stat64",
        "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs",
        "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun",
        "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create",
        "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill",
        "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime",
        "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid",
        "write", "writev",
    ]

    // Codable mirrors of the OCI types (same JSON keys).
    private typealias Rule = OCI.Seccomp.Syscall
    private typealias Arg = OCI.Seccomp.Arg
}
