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
        if record.cgroups.isFrozen { return .paused }
        return .running
    }

    public func state(status: ContainerStatus? = nil) -> State {
        let s = status ?? self.status
        return State(id: id, pid: s == .stopped ? 0 : record.initProcess.pid, status: s,
                     bundle: record.bundle, rootfs: record.rootfs, created: record.created,
                     owner: record.owner, annotations: record.spec.annotations ?? [:])
    }
}

