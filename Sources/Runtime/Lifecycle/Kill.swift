import Glibc
import OCI
import LinuxSystem

extension Runtime {
    /// Sends `signal` to the init, or with `all` to every process of the container.
    public func kill(id: String, signal: Int32, all: Bool = false) throws {
        let c = try container(id)
        let status = c.status
        guard status != .stopped else { throw RuntimeError.notRunning }
        let targets = all ? ContainerProcesses.list(c) : [c.record.initProcess.pid]
        for pid in targets {
            if Glibc.kill(pid, signal) != 0 && errno != ESRCH {
                throw SyscallError.last("kill", String(pid))
            }
        }
        if status == .paused && signal == SIGKILL {
            // A frozen task only dies once thawed.
            try? c.record.cgroups.thaw()
        }
    }
}

/// The processes of a container: the members of its cgroup, plus (when it has its own
/// pid namespace) any process in that namespace that left the cgroup.
public enum ContainerProcesses {
    public static func list(_ c: Container) -> [Int32] {
        guard c.record.initProcess.isAlive else { return c.record.cgroups.processes() }
        var pids = Set(c.record.cgroups.processes())
        pids.insert(c.record.initProcess.pid)
        if c.record.ownPidNamespace, let ns = readSymlink("/proc/\(c.record.initProcess.pid)/ns/pid") {
            for p in FileSystem.listDirectory("/proc").compactMap(Int32.init) where readSymlink("/proc/\(p)/ns/pid") == ns {
                pids.insert(p)
            }
        }
        return pids.sorted()
    }
}
