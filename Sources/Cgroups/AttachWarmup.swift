import Glibc
import CWarmlane
import LinuxSystem

/// Moving a task into a cgroup takes cgroup_threadgroup_rwsem for writing, and the first
/// writer after a quiet period waits for an RCU grace period (3-20 ms on this kind of VM,
/// the largest cost of `create` and `exec`). The lock stays fast for one more grace period
/// after its last writer. So a helper re-attaches itself to its own cgroup (a no-op move)
/// from the start of the command and keeps doing so every few hundred microseconds: the
/// wait runs while the runtime parses its arguments and config, and the lock is still
/// warm whenever the real attach comes. `finish` stops the helper.
///
/// The helper holds cgroup_mutex during its first write, so cgroup mkdirs queue behind it:
/// they would have waited for the same grace period anyway. It calls only libc between
/// clone and _exit, dies with its parent, and gives up by itself after about two seconds.
public enum AttachWarmup {
    /// The helper in flight, if any. Only touched while the process is single-threaded.
    nonisolated(unsafe) private static var helper: pid_t?

    /// Starts the helper unless one is running. Call only while single-threaded.
    public static func start() {
        guard helper == nil, let target = ownCgroupProcsFile() else { return }
        let parent = getpid()
        let pid = target.withCString { path -> pid_t in
            let pid = wl_clone_fork(0)
            if pid == 0 {
                _ = wl_prctl(Int32(WL_PR_SET_PDEATHSIG), UInt(SIGKILL), 0, 0, 0)
                // The parent may have exited before the death signal was armed.
                if getppid() != parent { _exit(0) }
                let fd = open(path, O_WRONLY | O_CLOEXEC)
                if fd >= 0 {
                    for _ in 0..<5000 {
                        _ = write(fd, "0", 1)
                        usleep(400)
                    }
                }
                _exit(0)
            }
            return pid
        }
        if pid > 0 { helper = pid }
    }

    /// Stops and reaps the helper (after the real attach).
    public static func finish() {
        guard let pid = helper else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        helper = nil
    }

    /// cgroup.procs of our own cgroup in the first hierarchy of /proc/self/cgroup, found
    /// without reading mountinfo (this runs before anything else).
    static func ownCgroupProcsFile() -> String? {
        for e in OwnCgroups.read().entries {
            let dir: String
            if e.isUnified {
                dir = FileSystem.exists("/sys/fs/cgroup/unified/cgroup.procs") ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup"
            } else if let first = e.controllers.first, !first.hasPrefix("name=") {
                dir = "/sys/fs/cgroup/" + e.controllers.joined(separator: ",")
            } else {
                continue
            }
            let file = Path.clean(dir + e.path) + "/cgroup.procs"
            if FileSystem.exists(file) { return file }
        }
        return nil
    }
}
