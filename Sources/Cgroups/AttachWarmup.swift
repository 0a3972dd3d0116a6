import Glibc
import CWarmlane
import LinuxSystem

/// Moving a task into a cgroup takes cgroup_threadgroup_rwsem for writing, and the first
/// writer after a quiet period waits for an RCU grace period (5-20 ms on this kind of VM,
/// the largest cost of `create`). Any writer starts that grace period, so a helper that
/// re-attaches itself to its own cgroup (a no-op move) as early as possible lets the wait
/// run while the runtime parses its arguments and config; the real attach then finds the
/// lock warm. The helper calls only libc between clone and _exit.
///
/// The helper holds cgroup_mutex while it waits, so cgroup mkdirs queue behind it: they
/// would have waited for the same grace period anyway.
public enum AttachWarmup {
    /// The helper in flight, if any. Only touched while the process is single-threaded.
    nonisolated(unsafe) private static var helper: pid_t?

    /// Starts the helper unless one is running. Call only while single-threaded.
    public static func start() {
        guard helper == nil, let target = ownCgroupProcsFile() else { return }
        let pid = target.withCString { path -> pid_t in
            let pid = wl_clone_fork(0)
            if pid == 0 {
                let fd = open(path, O_WRONLY | O_CLOEXEC)
                if fd >= 0 { _ = write(fd, "0", 1) }
                _exit(0)
            }
            return pid
        }
        if pid > 0 { helper = pid }
    }

    /// Reaps the helper (after the real attach).
    public static func finish() {
        guard let pid = helper else { return }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        helper = nil
    }

    /// cgroup.procs of our own cgroup in the first hierarchy of /proc/self/cgroup, found
    /// without reading mountinfo (this runs before anything else).
    static func ownCgroupProcsFile() -> String? {
        guard let text = try? FileSystem.readString("/proc/self/cgroup") else { return nil }
        for line in text.split(separator: "\n") {
            let f = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard f.count == 3 else { continue }
            let dir: String
            if f[0] == "0" && f[1].isEmpty {
                dir = FileSystem.exists("/sys/fs/cgroup/unified/cgroup.procs") ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup"
            } else if !f[1].isEmpty && !f[1].hasPrefix("name=") {
                dir = "/sys/fs/cgroup/" + f[1]
            } else {
                continue
            }
            let file = Path.clean(dir + String(f[2])) + "/cgroup.procs"
            if FileSystem.exists(file) { return file }
        }
        return nil
    }
}
