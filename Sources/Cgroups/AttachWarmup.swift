import Glibc
import CWarmlane
import LinuxSystem

/// Moving a task into a cgroup takes cgroup_threadgroup_rwsem for writing, and the first
/// writer after a quiet period waits for an RCU grace period (5-20 ms on this kind of VM,
/// the largest cost of `create`). Any writer starts that grace period, so a helper that
/// re-attaches itself to its own cgroup (a no-op move) at the start of `create` lets the
/// wait run while the runtime parses the config and sets up; the real attach then finds
/// the lock warm. The helper calls only libc between clone and _exit.
public struct AttachWarmup {
    let pid: pid_t

    /// Starts the helper; nil when it cannot (then the real attach just pays the wait).
    /// Call only while the process is single-threaded.
    public static func start(layout: CgroupLayout = .detect()) -> AttachWarmup? {
        let target: String
        if let h = layout.v1.first {
            target = Path.clean(h.mountPoint + CgroupPath.own(controller: h.controllers.first)) + "/cgroup.procs"
        } else if let u = layout.unified {
            target = Path.clean(u + CgroupPath.own(controller: nil)) + "/cgroup.procs"
        } else {
            return nil
        }
        let pid = target.withCString { path -> pid_t in
            let pid = wl_clone_fork(0)
            if pid == 0 {
                let fd = open(path, O_WRONLY | O_CLOEXEC)
                if fd >= 0 { _ = write(fd, "0", 1) }
                _exit(0)
            }
            return pid
        }
        return pid > 0 ? AttachWarmup(pid: pid) : nil
    }

    /// Reaps the helper.
    public func finish() {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}
