// runtime-spec features.md: what this runtime build supports.

public struct Features: Codable, Sendable, Equatable {
    public var ociVersionMin: String
    public var ociVersionMax: String
    public var hooks: [String]
    public var mountOptions: [String]
    public var linux: LinuxFeatures
    public var annotations: [String: String]

    public struct LinuxFeatures: Codable, Sendable, Equatable {
        public var namespaces: [String]
        public var capabilities: [String]
        public var cgroup: Cgroup
        public var seccomp: SeccompFeatures
        public var apparmor: Enabled
        public var selinux: Enabled
        public var intelRdt: Enabled
        public var mountExtensions: MountExtensions
        public init(namespaces: [String], capabilities: [String], cgroup: Cgroup, seccomp: SeccompFeatures,
                    apparmor: Enabled, selinux: Enabled, intelRdt: Enabled, mountExtensions: MountExtensions) {
            self.namespaces = namespaces; self.capabilities = capabilities; self.cgroup = cgroup
            self.seccomp = seccomp; self.apparmor = apparmor; self.selinux = selinux
            self.intelRdt = intelRdt; self.mountExtensions = mountExtensions
        }
    }
    public struct Cgroup: Codable, Sendable, Equatable {
        public var v1: Bool
        public var v2: Bool
        public var systemd: Bool
        public var systemdUser: Bool
        public var rdma: Bool
        public init(v1: Bool, v2: Bool, systemd: Bool, systemdUser: Bool, rdma: Bool) {
            self.v1 = v1; self.v2 = v2; self.systemd = systemd; self.systemdUser = systemdUser; self.rdma = rdma
        }
    }
    public struct SeccompFeatures: Codable, Sendable, Equatable {
        public var enabled: Bool
        public var actions: [String]?
        public var operators: [String]?
        public var archs: [String]?
        public var knownFlags: [String]?
        public var supportedFlags: [String]?
        public init(enabled: Bool) { self.enabled = enabled }
    }
    public struct Enabled: Codable, Sendable, Equatable {
        public var enabled: Bool
        public init(enabled: Bool) { self.enabled = enabled }
    }
    public struct MountExtensions: Codable, Sendable, Equatable {
        public var idmap: Enabled
        public init(idmap: Enabled) { self.idmap = idmap }
    }
    public init(ociVersionMin: String, ociVersionMax: String, hooks: [String], mountOptions: [String],
                linux: LinuxFeatures, annotations: [String: String]) {
        self.ociVersionMin = ociVersionMin; self.ociVersionMax = ociVersionMax; self.hooks = hooks
        self.mountOptions = mountOptions; self.linux = linux; self.annotations = annotations
    }
}
