import Glibc
import OCI
import LinuxSystem

/// A container as found on disk, with its status derived now.
public struct Container: Sendable {
    public let record: ContainerRecord
    public let store: StateStore

    public var id: String { record.id }

    public static func load(_ id: String, store: StateStore) throws -> Container {
        Container(record: try store.load(id), store: store)
    }

    public var status: ContainerStatus {
        guard record.initProcess.isAlive else { return .stopped }
        if FileSystem.exists(store.execFifo(id)) { return .created }
        if Freezer.isFrozen(pid: record.initProcess.pid) { return .paused }
        return .running
    }

    public func state(status: ContainerStatus? = nil) -> State {
        let s = status ?? self.status
        return State(id: id, pid: s == .stopped ? 0 : record.initProcess.pid, status: s,
                     bundle: record.bundle, rootfs: record.rootfs, created: record.created,
                     owner: record.owner, annotations: record.spec.annotations)
    }
}

/// Reads the freezer state of a process's cgroup (v1 freezer or v2 cgroup.freeze).
enum Freezer {
    static func isFrozen(pid: Int32) -> Bool {
        guard let text = try? FileSystem.readString("/proc/\(pid)/cgroup") else { return false }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[1].split(separator: ",").contains("freezer") {
                let state = (try? FileSystem.readString("/sys/fs/cgroup/freezer\(parts[2])/freezer.state"))?.trimmed
                return state == "FROZEN" || state == "FREEZING"
            }
            if parts[0] == "0" && parts[1].isEmpty, Cgroup2.mountpoint != nil {
                if let v = try? FileSystem.readString("\(Cgroup2.mountpoint!)\(parts[2])/cgroup.freeze"), v.trimmed == "1" {
                    return true
                }
            }
        }
        return false
    }
}

enum Cgroup2 {
    /// Where the unified hierarchy is mounted, if it has controllers or is the only one.
    static let mountpoint: String? = {
        for p in ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"] where FileSystem.exists(p + "/cgroup.controllers") {
            return p
        }
        return nil
    }()
}
