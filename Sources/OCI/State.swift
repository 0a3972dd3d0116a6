// The state of a container as `state` prints it (runtime-spec state.md plus
// runc's extra fields, which engines parse).

public enum ContainerStatus: String, Codable, Sendable {
    case creating, created, running, paused, stopped
}

public struct State: Codable, Sendable, Equatable {
    public var ociVersion: String
    public var id: String
    public var pid: Int32
    public var status: ContainerStatus
    public var bundle: String
    public var rootfs: String
    /// RFC 3339 with nanoseconds, as runc prints it.
    public var created: String
    public var owner: String
    public var annotations: [String: String]?

    public init(ociVersion: String = OCIVersion.current, id: String, pid: Int32, status: ContainerStatus,
                bundle: String, rootfs: String, created: String, owner: String = "",
                annotations: [String: String]? = nil) {
        self.ociVersion = ociVersion; self.id = id; self.pid = pid; self.status = status
        self.bundle = bundle; self.rootfs = rootfs; self.created = created; self.owner = owner
        self.annotations = annotations
    }
}
