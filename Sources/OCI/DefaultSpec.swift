// The config.json that `spec` writes: the same shape runc writes, so tools and
// tutorials that edit runc's default apply unchanged.

extension Spec {
    public static func `default`(hostname: String = "warmlane", args: [String] = ["sh"]) -> Spec {
        let caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
        var process = Process(
            terminal: true, user: User(uid: 0, gid: 0), args: args,
            env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
            cwd: "/", capabilities: Capabilities(bounding: caps, effective: caps, permitted: caps),
            rlimits: [Rlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)], noNewPrivileges: true)
        process.consoleSize = nil
        var linux = Linux(namespaces: [.init(type: .pid), .init(type: .network), .init(type: .ipc),
                                       .init(type: .uts), .init(type: .mount), .init(type: .cgroup)])
        var resources = Resources()
        resources.devices = [.init(allow: false, access: "rwm")]
        linux.resources = resources
        linux.maskedPaths = ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                             "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                             "/proc/scsi"]
        linux.readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
        return Spec(
            process: process, root: Root(path: "rootfs", readonly: true), hostname: hostname,
            mounts: [
                Mount(destination: "/proc", type: "proc", source: "proc"),
                Mount(destination: "/dev", type: "tmpfs", source: "tmpfs",
                      options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
                Mount(destination: "/dev/pts", type: "devpts", source: "devpts",
                      options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
                Mount(destination: "/dev/shm", type: "tmpfs", source: "shm",
                      options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
                Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue",
                      options: ["nosuid", "noexec", "nodev"]),
                Mount(destination: "/sys", type: "sysfs", source: "sysfs",
                      options: ["nosuid", "noexec", "nodev", "ro"]),
                Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
                      options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
            ],
            linux: linux)
    }
}

extension Spec {
    /// runc's `spec --rootless` changes: a user namespace mapping the caller to root,
    /// no network namespace, and sysfs bound from the host.
    public mutating func makeRootless(uid: UInt32, gid: UInt32) {
        var l = linux ?? Linux()
        l.namespaces = (l.namespaces ?? []).filter { $0.type != .network && $0.type != .user } + [Namespace(type: .user)]
        l.uidMappings = [IDMapping(containerID: 0, hostID: uid, size: 1)]
        l.gidMappings = [IDMapping(containerID: 0, hostID: gid, size: 1)]
        l.resources = nil
        linux = l
        mounts = (mounts ?? []).compactMap { m in
            if m.destination == "/sys" {
                return Mount(destination: "/sys", type: "none", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"])
            }
            if m.destination == "/sys/fs/cgroup" { return nil }
            var m = m
            if m.type == "devpts" { m.options = (m.options ?? []).filter { $0 != "gid=5" } }
            if m.type == "mqueue" { return Mount(destination: m.destination, type: "bind", source: "/dev/mqueue", options: ["rbind", "nosuid", "noexec", "nodev"]) }
            return m
        }
    }
}
