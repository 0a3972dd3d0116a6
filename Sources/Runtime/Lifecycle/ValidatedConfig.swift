import CWarmlane
import OCI
import LinuxSystem
import Seccomp

/// A config checked before anything is created, so bad input fails with nothing to undo.
/// Pure apart from looking at the bundle's rootfs, so it is unit-tested directly.
public struct ValidatedConfig: Sendable {
    public let spec: Spec
    public let rootfs: String
    public let newNamespaces: Set<NamespaceType>
    public let joinedNamespaces: [Namespace]

    public init(spec: Spec, bundle: String, hasConsole: Bool, checkFilesystem: Bool = true) throws {
        guard OCIVersion.isSupported(spec.ociVersion) else {
            throw RuntimeError.config("unsupported ociVersion \(spec.ociVersion.debugDescription) (want 1.x)")
        }
        guard let process = spec.process else { throw RuntimeError.config("process is missing") }
        guard let first = process.args?.first, !first.isEmpty else {
            throw RuntimeError.config("process.args must not be empty")
        }
        guard process.cwd.hasPrefix("/") else {
            throw RuntimeError.config("process.cwd \(process.cwd.debugDescription) is not an absolute path")
        }
        guard let root = spec.root, !root.path.isEmpty else { throw RuntimeError.config("root.path is missing") }
        rootfs = root.path.hasPrefix("/") ? Path.clean(root.path) : Path.join(bundle, root.path)
        if checkFilesystem && !FileSystem.isDirectory(rootfs) {
            throw RuntimeError.config("rootfs \(rootfs) does not exist or is not a directory")
        }
        if process.terminal == true && !hasConsole {
            throw RuntimeError.config("cannot allocate tty if warmlane will detach without setting console socket")
        }

        var new = Set<NamespaceType>(), joined: [Namespace] = [], seen = Set<NamespaceType>()
        for ns in spec.linux?.namespaces ?? [] {
            guard seen.insert(ns.type).inserted else {
                throw RuntimeError.config("namespace \(ns.type.rawValue) is listed twice")
            }
            if let p = ns.path, !p.isEmpty {
                if checkFilesystem && !FileSystem.exists(p) {
                    throw RuntimeError.config("namespace \(ns.type.rawValue) path \(p): no such file or directory")
                }
                joined.append(ns)
            } else {
                new.insert(ns.type)
            }
        }
        guard seen.contains(.mount) else {
            throw RuntimeError.config("a mount namespace is required (add {\"type\": \"mount\"} to linux.namespaces)")
        }
        if new.contains(.user) && (spec.linux?.uidMappings ?? []).isEmpty {
            throw RuntimeError.config("a new user namespace needs linux.uidMappings and linux.gidMappings")
        }
        if spec.hostname?.isEmpty == false && !seen.contains(.uts) {
            throw RuntimeError.config("unable to set hostname without a private UTS namespace")
        }
        if spec.domainname?.isEmpty == false && !seen.contains(.uts) {
            throw RuntimeError.config("unable to set domainname without a private UTS namespace")
        }
        for key in (spec.linux?.sysctl ?? [:]).keys.sorted() {
            try ValidatedConfig.checkSysctl(key, namespaces: seen)
        }
        for r in process.rlimits ?? [] where ProcessSetup.rlimitNumbers[r.type] == nil {
            throw RuntimeError.config("unknown rlimit type \(r.type.debugDescription)")
        }
        if let prop = spec.linux?.rootfsPropagation, !prop.isEmpty, MountOptions.parse([prop]).propagation.isEmpty {
            throw RuntimeError.config("unknown rootfsPropagation \(prop.debugDescription)")
        }
        for m in spec.mounts ?? [] { _ = try MountStep.plan(m, bundle: bundle) }
        if let s = spec.linux?.seccomp { try SeccompFilter.validate(s) }
        self.spec = spec
        self.newNamespaces = new
        self.joinedNamespaces = joined
    }

    /// A sysctl may only be set in a namespace the container owns (as runc enforces).
    static func checkSysctl(_ key: String, namespaces: Set<NamespaceType>) throws {
        let ipc: Set<String> = ["kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
                                "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"]
        if ipc.contains(key) || key.hasPrefix("fs.mqueue.") {
            if !namespaces.contains(.ipc) { throw RuntimeError.config("sysctl \(key) requires a new IPC namespace") }
        } else if key.hasPrefix("net.") {
            if !namespaces.contains(.network) { throw RuntimeError.config("sysctl \(key) requires a new network namespace") }
        } else if key == "kernel.hostname" || key == "kernel.domainname" {
            if !namespaces.contains(.uts) { throw RuntimeError.config("sysctl \(key) requires a new UTS namespace") }
        } else {
            throw RuntimeError.config("sysctl \(key) is not in a separate kernel namespace")
        }
    }

    public var cloneFlags: UInt {
        var f: Int32 = 0
        for ns in newNamespaces {
            switch ns {
            case .pid: f |= WL_CLONE_NEWPID
            case .network: f |= WL_CLONE_NEWNET
            case .mount: f |= WL_CLONE_NEWNS
            case .ipc: f |= WL_CLONE_NEWIPC
            case .uts: f |= WL_CLONE_NEWUTS
            case .user: f |= WL_CLONE_NEWUSER
            // Unshared later by the init itself (see InitPlan).
            case .cgroup, .time: break
            }
        }
        return UInt(UInt32(bitPattern: f))
    }
}
