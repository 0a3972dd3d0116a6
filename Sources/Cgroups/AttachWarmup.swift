import Glibc
import CWarmlane
import LinuxSystem

/// Moving a task into a cgroup takes cgroup_threadgroup_rwsem for writing, and the first
/// writer after a quiet period waits for an RCU grace period (3-20 ms on this kind of VM,
/// the largest cost of `create` and `exec`). The lock stays fast for one more grace period
/// after its last writer. So a helper re-attaches itself to its own cgroup (a no-op move)
/// from the start of the command and keeps doing so every few hundred microseconds: the
/// wait runs while the runtime parses its arguments and config, and the lock is still
/// warm whenever the real attach comes. `stop` kills the helper after that attach.
///
/// The helper holds cgroup_mutex during its first write, so cgroup mkdirs queue behind it:
/// they would have waited for the same grace period anyway. It shares our memory and makes
/// raw syscalls only (see wl_warmup_spawn), dies with its parent, and gives up by itself
/// after about two seconds.
public enum AttachWarmup {
    private struct Helper {
        let pid: pid_t
        let mapping: UnsafeMutableRawPointer
        let mappingSize: Int
    }

    /// The helper in flight, if any, and killed ones not yet reaped. Only touched while the
    /// process is single-threaded.
    nonisolated(unsafe) private static var running: Helper?
    nonisolated(unsafe) private static var dying: [Helper] = []

    /// Starts the helper unless one is running. Call only while single-threaded.
    public static func start() {
        reap(waiting: false)
        guard running == nil else { return }
        let own = OwnCgroups.read()
        // On a cgroup v2-only host children are born in their cgroup and nothing is moved
        // (see ChildClone); the helper's own writes would only take the lock they avoid.
        if own.entries.allSatisfy(\.isUnified) { return }
        guard let target = ownCgroupProcsFile(own) else { return }
        var mapping: UnsafeMutableRawPointer?
        var size = 0
        // Every 400 us for at most 2 s.
        let pid = wl_warmup_spawn(target, 5000, 400, &mapping, &size)
        if pid > 0, let mapping { running = Helper(pid: pid, mapping: mapping, mappingSize: size) }
    }

    /// Kills the helper once the real attach is done, without waiting: a helper inside a
    /// cgroup.procs write may sit out a whole grace period before the signal lands.
    public static func stop() {
        guard let h = running else { return }
        kill(h.pid, SIGKILL)
        dying.append(h)
        running = nil
    }

    /// Before the command exits: kills the helper and reaps it (and any killed earlier), so
    /// nothing of ours outlives the command, not even a zombie. After a create or exec the
    /// helper was killed long before and is gone; after an early failure this may wait out
    /// the grace period the helper is sitting in.
    public static func finish() {
        stop()
        reap(waiting: true)
    }

    /// Reaps killed helpers (waiting for them, or only those already dead); only then is the
    /// stack they shared with us unmapped.
    private static func reap(waiting: Bool) {
        dying = dying.filter { h in
            var status: Int32 = 0
            var r: pid_t
            repeat { r = waitpid(h.pid, &status, waiting ? 0 : WNOHANG) } while r < 0 && errno == EINTR
            guard r == h.pid || (r < 0 && errno == ECHILD) else { return true }
            munmap(h.mapping, h.mappingSize)
            return false
        }
    }

    /// cgroup.procs of our own cgroup in the first hierarchy of /proc/self/cgroup, found
    /// without reading mountinfo (this runs before anything else).
    static func ownCgroupProcsFile(_ own: OwnCgroups) -> String? {
        for e in own.entries {
            let dir: String
            if e.isUnified {
                dir = FileSystem.exists("/sys/fs/cgroup/unified/cgroup.procs") ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup"
            } else if let first = e.controllers.first, !first.hasPrefix("name=") {
                dir = "/sys/fs/cgroup/" + e.controllers.concatenated(separator: ",")
            } else {
                continue
            }
            let file = Path.clean(dir + e.path) + "/cgroup.procs"
            if FileSystem.exists(file) { return file }
        }
        return nil
    }
}
