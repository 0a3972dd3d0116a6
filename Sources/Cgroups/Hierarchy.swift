import LinuxSystem


/// The cgroup hierarchies mounted on this host, as found in /proc/self/mountinfo.
/// v1 (and hybrid): one per controller set under /sys/fs/cgroup/<name>, plus an optional
/// cgroup2 "unified" tree without controllers. v2: a single cgroup2 tree.
public struct CgroupLayout: Sendable, Equatable {
    public struct V1Hierarchy: Sendable, Equatable {
        public let mountPoint: String
        /// Controllers (and name=... for named hierarchies) of this hierarchy.
        public let controllers: [String]
        /// Super options to mount the same hierarchy again inside a container.
        public let mountOptions: String
    }
    public var v1: [V1Hierarchy]
    public var unified: String?

    public var isUnifiedOnly: Bool { v1.isEmpty && unified != nil }

    public init(v1: [V1Hierarchy], unified: String?) { self.v1 = v1; self.unified = unified }

    public static func detect() -> CgroupLayout { parse(MountInfo.entries()) }

    public static func parse(_ entries: [MountInfo.Entry]) -> CgroupLayout {
        var v1: [V1Hierarchy] = []
        var unified: String?
        for e in entries where e.mountPoint == "/sys/fs/cgroup" || e.mountPoint.hasPrefix("/sys/fs/cgroup/") {
            if e.fsType == "cgroup" {
                let opts = e.superOptions.split(separator: ",").map(String.init)
                let known: Set<String> = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls",
                                          "net_prio", "blkio", "perf_event", "hugetlb", "pids", "rdma", "misc"]
                let ctrls = opts.filter { known.contains($0) || $0.hasPrefix("name=") }
                v1.append(V1Hierarchy(mountPoint: e.mountPoint, controllers: ctrls, mountOptions: ctrls.concatenated(separator: ",")))
            } else if e.fsType == "cgroup2" {
                unified = e.mountPoint
            }
        }
        return CgroupLayout(v1: v1, unified: unified)
    }

    public func hierarchy(for controller: String) -> V1Hierarchy? {
        v1.first { $0.controllers.contains(controller) }
    }
}

/// Where a container's cgroup lives, relative to each hierarchy's root.
public enum CgroupPath {
    /// An absolute cgroupsPath is used as is; a relative one is placed under the
    /// runtime's own cgroup (as runc does); none means "/<id>".
    public static func resolve(_ cgroupsPath: String?, id: String, ownCgroup: String) -> String {
        guard let p = cgroupsPath, !p.isEmpty else { return "/" + id }
        if p.hasPrefix("/") { return Path.clean(p) }
        if p.contains(":") {
            // systemd notation slice:prefix:name, accepted as a plain nested path.
            let parts = p.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            return Path.clean("/" + parts.filter { !$0.isEmpty }.concatenated(separator: "/"))
        }
        return Path.join(ownCgroup, p)
    }

}

/// This process's own cgroups, from one read of /proc/self/cgroup.
public struct OwnCgroups: Sendable {
    public struct Entry: Sendable {
        /// Empty for the v2 tree (`0::/path`); controllers or `name=...` for v1.
        public let controllers: [String]
        public let path: String
        public var isUnified: Bool { controllers.isEmpty }
    }
    public let entries: [Entry]

    public static func read() -> OwnCgroups {
        let text = (try? FileSystem.readString("/proc/self/cgroup")) ?? ""
        return OwnCgroups(entries: text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard f.count == 3 else { return nil }
            return Entry(controllers: f[1].split(separator: ",").map(String.init), path: String(f[2]))
        })
    }

    /// The cgroup in the hierarchy holding `controller`, or in the v2 tree when nil.
    public func path(controller: String?) -> String {
        let hit = entries.first { e in controller.map { e.controllers.contains($0) } ?? e.isUnified }
        return hit?.path ?? "/"
    }
}
