import OCI
import LinuxSystem
import Cgroups

/// What the runtime persists per container: `<root>/<id>/state.json` holds everything but
/// the spec, which `StateStore` keeps beside it as config.json. The status is not stored:
/// it is derived each time from the init's pid + start time and the exec fifo.
public struct ContainerRecord: Codable, Sendable, Equatable {
    public var id: String
    public var initProcess: ProcessIdentity
    public var bundle: String
    public var rootfs: String
    public var created: String
    public var owner: String
    /// The config as it was at create time: start and delete run its hooks even if the
    /// bundle changed or vanished since.
    public var spec: Spec = Spec()
    /// Set when the container has its own pid namespace: killing init then kills them all.
    public var ownPidNamespace: Bool
    /// The container's cgroup directories, removed on delete.
    public var cgroups: CgroupSet

    enum CodingKeys: String, CodingKey {
        case id, initProcess, bundle, rootfs, created, owner, ownPidNamespace, cgroups
    }

    public init(id: String, initProcess: ProcessIdentity, bundle: String, rootfs: String, created: String,
                owner: String, spec: Spec, ownPidNamespace: Bool, cgroups: CgroupSet) {
        self.id = id; self.initProcess = initProcess; self.bundle = bundle; self.rootfs = rootfs
        self.created = created; self.owner = owner; self.spec = spec; self.ownPidNamespace = ownPidNamespace
        self.cgroups = cgroups
    }
}
