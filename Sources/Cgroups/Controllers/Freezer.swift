import Glibc
import LinuxSystem

/// Pause/resume: v1 freezer.state, v2 cgroup.freeze. Waits until the kernel reports
/// the transition done, so `pause` returning means the processes are stopped.
enum FreezerController {
    static func set(frozen: Bool, _ set: CgroupSet) throws {
        guard let dir = set.freezer else { throw SyscallError("freeze", "container", errno: .noSuchFileOrDirectory) }
        if set.isUnifiedOnly {
            try FileSystem.write(dir + "/cgroup.freeze", frozen ? "1" : "0", flags: O_WRONLY)
        } else {
            try FileSystem.write(dir + "/freezer.state", frozen ? "FROZEN" : "THAWED", flags: O_WRONLY)
        }
        for _ in 0..<2000 {
            if isFrozen(set) == frozen { return }
            usleep(500)
            if !set.isUnifiedOnly && frozen {
                // A task can escape a FREEZING pass (e.g. mid-fork); asking again finishes it.
                try? FileSystem.write(dir + "/freezer.state", "FROZEN", flags: O_WRONLY)
            }
        }
        throw SyscallError(frozen ? "freeze" : "thaw", dir, errno: .timedOut)
    }

    static func isFrozen(_ set: CgroupSet) -> Bool {
        guard let dir = set.freezer else { return false }
        if set.isUnifiedOnly {
            guard let events = try? FileSystem.readString(dir + "/cgroup.events") else { return false }
            return events.split(separator: "\n").contains("frozen 1")
        }
        return (try? FileSystem.readString(dir + "/freezer.state"))?.trimmed == "FROZEN"
    }
}
