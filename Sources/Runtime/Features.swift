import OCI
import LinuxSystem
import Seccomp

/// What this build really supports; `features` prints it. Keep it honest: list only
/// what the code implements and the tests exercise.
public enum RuntimeFeatures {
    public static func current() -> Features {
        let caps = Array(Capability.names.prefix(Capability.lastSupported + 1))
        let mountOptions = (Array(MountOptionsCatalog.all)).sorted()
        return Features(
            ociVersionMin: "1.0.0", ociVersionMax: OCIVersion.current,
            hooks: ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
            mountOptions: mountOptions,
            linux: .init(
                namespaces: NamespaceType.allCases.map(\.rawValue),
                capabilities: caps,
                cgroup: .init(v1: true, v2: true, systemd: false, systemdUser: false, rdma: false),
                seccomp: SeccompFilter.features(),
                apparmor: .init(enabled: false), selinux: .init(enabled: false), intelRdt: .init(enabled: false),
                mountExtensions: .init(idmap: .init(enabled: false))),
            annotations: ["io.github.warmlane.version": "0.1.0"])
    }
}

enum MountOptionsCatalog {
    static let all: Set<String> = [
        "ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec", "sync", "async", "dirsync",
        "remount", "mand", "nomand", "atime", "noatime", "diratime", "nodiratime", "relatime", "norelatime",
        "strictatime", "nostrictatime", "nosymfollow", "symfollow", "lazytime", "silent", "loud",
        "bind", "rbind", "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable",
        "runbindable",
    ]
}
