import Glibc
import CWarmlane
import LinuxSystem
import Cgroups
import SystemPackage

/// Starting the init (or an exec'd process) as a copy of this single-threaded process.
enum ChildClone {
    /// Clones with fork semantics. On a cgroup v2 host the child is born inside `cgroups`
    /// (clone3 with CLONE_INTO_CGROUP): moving it there afterwards would take the kernel's
    /// cgroup_threadgroup_rwsem for writing, which after a quiet spell waits for an RCU
    /// grace period (3-25 ms, most of a cold start). Returns the pid (0 in the child) and
    /// whether the child is already in its cgroup; the caller attaches it otherwise (v1
    /// hierarchies, or kernels before 5.7).
    static func fork(flags: UInt, into cgroups: CgroupSet) throws -> (pid: pid_t, inCgroup: Bool) {
        try SingleThread.check()
        if cgroups.isUnifiedOnly, let dir = cgroups.unified {
            let fd = try syscall("open", dir) { wl_open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) }
            let pid = wl_clone_fork_into_cgroup(flags, fd)
            let err = errno
            if pid != 0 { close(fd) }
            if pid >= 0 { return (pid, true) }
            guard err == ENOSYS || err == E2BIG || err == EINVAL else { throw SyscallError("clone3", dir, errno: Errno(rawValue: err)) }
        }
        let pid = wl_clone_fork(flags)
        if pid < 0 { throw SyscallError.last("clone") }
        return (pid, false)
    }
}
