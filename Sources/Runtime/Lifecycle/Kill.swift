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
            try? CgroupFreezer.thaw(pid: c.record.initProcess.pid)
        }
    }
}

/// The processes that belong to a container: those sharing its init's pid namespace
/// (or, without one, the init's cgroup).
public enum ContainerProcesses {
    public static func list(_ c: Container) -> [Int32] {
        let initPid = c.record.initProcess.pid
        guard c.record.initProcess.isAlive else { return [] }
        if c.record.ownPidNamespace, let ns = readSymlink("/proc/\(initPid)/ns/pid") {
            return FileSystem.listDirectory("/proc").compactMap(Int32.init).filter {
                readSymlink("/proc/\($0)/ns/pid") == ns
            }.sorted()
        }
        if let procs = cgroupProcesses(of: initPid) { return procs }
        return [initPid]
    }

    /// Members of the init's cgroup in the first v1 hierarchy found (or v2), if it is
    /// not the root cgroup (which would be the whole host).
    static func cgroupProcesses(of pid: Int32) -> [Int32]? {
        guard let text = try? FileSystem.readString("/proc/\(pid)/cgroup") else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[2] != "/" else { continue }
            let ctrl = parts[1].split(separator: ",").first.map(String.init)
            let base: String
            if let ctrl, ctrl == "pids" || ctrl == "memory" || ctrl == "freezer" { base = "/sys/fs/cgroup/\(ctrl)" }
            else if parts[0] == "0", let mp = Cgroup2.mountpoint { base = mp }
            else { continue }
            if let procs = try? FileSystem.readString(base + parts[2] + "/cgroup.procs") {
                return procs.split(separator: "\n").compactMap { Int32($0) }
            }
        }
        return nil
    }
}

/// Freezer access for pause/resume, located through the init's own cgroup.
public enum CgroupFreezer {
    public static func thaw(pid: Int32) throws {
        guard let text = try? FileSystem.readString("/proc/\(pid)/cgroup") else { return }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[1].split(separator: ",").contains("freezer") {
                try FileSystem.write("/sys/fs/cgroup/freezer\(parts[2])/freezer.state", "THAWED", flags: O_WRONLY)
            }
        }
    }
}
