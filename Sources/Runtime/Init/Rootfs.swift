#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import CWarmlane
import OCI
import LinuxSystem
import Cgroups
import SystemPackage

/// Builds the container's root filesystem inside its mount namespace: runs in the
/// init child before pivot_root, then finishes the view after it.
struct Rootfs {
    let rootfs: String
    let bundle: String
    let spec: Spec
    let inUserNamespace: Bool
    /// The host's cgroup hierarchies (read by the runtime before clone).
    let cgroupLayout: CgroupLayout
    /// The container's own cgroup directories, bound in when it has no cgroup namespace.
    let cgroups: CgroupSet
    /// In a cgroup namespace the trees are fresh mounts rooted at the container's cgroup, so
    /// they need the init inside it (and can be made after pivot_root); without one the
    /// container's directories are bound from the host, so they need them to exist and the
    /// host's paths (before pivot_root).
    var ownCgroupNamespace: Bool { (linux.namespaces ?? []).contains { $0.type == .cgroup } }

    init(rootfs: String, bundle: String, spec: Spec, inUserNamespace: Bool, cgroupLayout: CgroupLayout, cgroups: CgroupSet) {
        self.rootfs = rootfs; self.bundle = bundle; self.spec = spec; self.inUserNamespace = inUserNamespace
        self.cgroupLayout = cgroupLayout
        self.cgroups = cgroups
    }

    var linux: Linux { spec.linux ?? Linux() }

    /// Everything up to (not including) pivot_root, except cgroup mounts: they must wait
    /// until the init is in its cgroups (and cgroup namespace), so they are returned to be
    /// mounted by `mountCgroupSteps` then.
    func prepare() throws -> [MountStep] {
        // Keep our mounts from propagating back to the host (or follow rootfsPropagation).
        let rootProp = try propagationFlags(linux.rootfsPropagation) ?? [.slave, .recursive]
        try Mounts.mount(source: nil, target: "/", type: nil, flags: rootProp, data: nil)
        try makeParentPrivate()
        // pivot_root needs the new root to be a mount point.
        try Mounts.mount(source: rootfs, target: rootfs, type: "bind", flags: [.bind, .recursive], data: nil)

        var devIsBound = false
        var cgroupSteps: [MountStep] = []
        for m in spec.mounts ?? [] {
            let step = try MountStep.plan(m, bundle: bundle)
            if step.destination == "/dev", case .bind = step.kind { devIsBound = true }
            if step.kind == .cgroup {
                // The mount point is made now, while the root may still be written.
                try makeMountPoint(try target(for: step.destination), directory: true)
                cgroupSteps.append(step)
                continue
            }
            try mount(step)
        }
        if !devIsBound {
            try createDefaultDevices()
        }
        try createDevices(linux.devices ?? [])
        if !devIsBound { try createDefaultSymlinks() }
        // A missing cwd is created, as runc does, so images need not ship every workdir.
        if let cwd = spec.process?.cwd, cwd != "/" {
            try FileSystem.makeDirectories(try target(for: cwd))
        }
        return cgroupSteps
    }

    /// After pivot_root the destinations are paths of the container's own root.
    func mountCgroupSteps(_ steps: [MountStep], afterPivot: Bool) throws {
        for step in steps { try mount(step, root: afterPivot ? "/" : rootfs) }
    }

    private func propagationFlags(_ name: String?) throws -> MountFlags? {
        guard let name, !name.isEmpty else { return nil }
        let o = MountOptions.parse([name])
        guard let p = o.propagation.first else { throw RuntimeError.config("unknown rootfsPropagation \(name.debugDescription)") }
        return p
    }

    /// pivot_root refuses a shared parent mount; make the mount holding rootfs private.
    private func makeParentPrivate() throws {
        let mp = MountInfo.mountPoint(containing: rootfs)
        try Mounts.mount(source: nil, target: mp, type: nil, flags: .private, data: nil)
    }

    private func target(for destination: String, root: String? = nil) throws -> String {
        let r = root ?? rootfs
        return r == "/" ? try secureJoin(root: "", destination) : try secureJoin(root: r, destination)
    }

    private func mount(_ step: MountStep, root: String? = nil) throws {
        let dest = try target(for: step.destination, root: root)
        switch step.kind {
        case .bind(let recursive):
            guard let kind = FileSystem.lstatMode(step.source) ?? (FileSystem.exists(step.source) ? S_IFREG : nil) else {
                throw SyscallError("bind mount source", step.source, errno: .noSuchFileOrDirectory)
            }
            try makeMountPoint(dest, directory: kind == S_IFDIR)
            var flags: MountFlags = .bind
            if recursive { flags.insert(.recursive) }
            try Mounts.mount(source: step.source, target: dest, type: "bind", flags: flags, data: nil)
            if let extra = step.remountFlags { try Mounts.remountBind(dest, flags: extra) }
        case .cgroup:
            try makeMountPoint(dest, directory: true)
            try mountCgroups(at: dest, flags: step.flags)
        case .filesystem:
            try makeMountPoint(dest, directory: true)
            do {
                try Mounts.mount(source: step.source, target: dest, type: step.type, flags: step.flags, data: step.data)
            } catch let e as SyscallError where step.type == "sysfs" && [.permissionDenied, .notPermitted].contains(e.errno) {
                // A user namespace without its own netns may not mount sysfs: bind the host's, read-only.
                try Mounts.mount(source: "/sys", target: dest, type: "bind", flags: [.bind, .recursive], data: nil)
                try Mounts.remountBind(dest, flags: step.flags.union(.readOnly).subtracting(MountFlags.propagation))
            }
        }
        for p in step.propagation {
            try Mounts.mount(source: nil, target: dest, type: nil, flags: p, data: nil)
        }
    }

    private func makeMountPoint(_ path: String, directory: Bool) throws {
        if directory {
            try FileSystem.makeDirectories(path)
        } else if !FileSystem.exists(path) {
            try FileSystem.makeDirectories(Path.parent(path))
            let fd = try syscall("create", path) { wl_open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644) }
            close(fd)
        }
    }

    /// v2: one cgroup2 mount. v1 (and hybrid): a tmpfs with one mount per hierarchy, as the
    /// host has them. In a cgroup namespace fresh mounts are rooted at the container's
    /// cgroup; without one, the container's own directory is bound instead, so the host's
    /// tree stays out of sight either way.
    private func mountCgroups(at dest: String, flags: MountFlags) throws {
        let base = flags.subtracting(.readOnly).union([.noSUID, .noDev, .noExec])
        let layout = cgroupLayout
        let ownNamespace = ownCgroupNamespace
        func own(_ mountPoint: String) -> String { cgroups.directory(under: mountPoint) ?? mountPoint }
        if layout.isUnifiedOnly, let root = layout.unified {
            if ownNamespace {
                try Mounts.mount(source: "cgroup2", target: dest, type: "cgroup2", flags: flags, data: nil)
            } else {
                try bindCgroup(own(root), dest, flags)
            }
            return
        }
        try Mounts.mount(source: "tmpfs", target: dest, type: "tmpfs", flags: base, data: "mode=755")
        for h in layout.v1 {
            let sub = dest + "/" + Path.lastComponent(h.mountPoint)
            try FileSystem.makeDirectories(sub)
            if ownNamespace {
                try Mounts.mount(source: "cgroup", target: sub, type: "cgroup", flags: flags, data: h.mountOptions)
            } else {
                try bindCgroup(own(h.mountPoint), sub, flags)
            }
        }
        if let unified = layout.unified {
            let sub = dest + "/" + Path.lastComponent(unified)
            try FileSystem.makeDirectories(sub)
            if ownNamespace {
                try Mounts.mount(source: "cgroup2", target: sub, type: "cgroup2", flags: flags, data: nil)
            } else {
                try bindCgroup(own(unified), sub, flags)
            }
        }
        if flags.contains(.readOnly) {
            try Mounts.mount(source: nil, target: dest, type: nil, flags: base.union([.remount, .readOnly]), data: "mode=755")
        }
    }

    private func bindCgroup(_ source: String, _ dest: String, _ flags: MountFlags) throws {
        try FileSystem.makeDirectories(dest)
        try Mounts.mount(source: source, target: dest, type: "bind", flags: [.bind, .recursive], data: nil)
        try Mounts.remountBind(dest, flags: flags.subtracting(MountFlags.propagation))
    }

    static let defaultDevices: [Device] = [
        Device(type: "c", path: "/dev/null", major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0),
        Device(type: "c", path: "/dev/zero", major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0),
        Device(type: "c", path: "/dev/full", major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0),
        Device(type: "c", path: "/dev/random", major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0),
        Device(type: "c", path: "/dev/urandom", major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0),
        Device(type: "c", path: "/dev/tty", major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0),
    ]

    private func createDefaultDevices() throws {
        let explicit = Set((linux.devices ?? []).map { Path.clean($0.path) })
        try createDevices(Rootfs.defaultDevices.filter { !explicit.contains($0.path) })
    }

    private func createDevices(_ devices: [Device]) throws {
        for d in devices {
            let dest = try target(for: d.path)
            try FileSystem.makeDirectories(Path.parent(dest))
            if inUserNamespace {
                // mknod is not allowed in a user namespace: bind the host's node instead.
                try makeMountPoint(dest, directory: false)
                try Mounts.mount(source: d.path, target: dest, type: "bind", flags: .bind, data: nil)
                continue
            }
            let typeBits: mode_t
            switch d.type {
            case "c", "u": typeBits = S_IFCHR
            case "b": typeBits = S_IFBLK
            case "p": typeBits = S_IFIFO
            default: throw RuntimeError.config("device \(d.path): unknown type \(d.type.debugDescription)")
            }
            unlink(dest)
            let mode = mode_t(d.fileMode ?? 0o666) & 0o7777
            try syscall("mknod", d.path) {
                wl_mknod(dest, typeBits | mode, UInt32(d.major ?? 0), UInt32(d.minor ?? 0))
            }
            // mknod honours the umask; the config's mode is meant exactly.
            try syscall("chmod", d.path) { chmod(dest, mode) }
            try syscall("chown", d.path) { chown(dest, d.uid ?? 0, d.gid ?? 0) }
        }
    }

    private func createDefaultSymlinks() throws {
        var links = [("/proc/self/fd", "/dev/fd"), ("/proc/self/fd/0", "/dev/stdin"),
                     ("/proc/self/fd/1", "/dev/stdout"), ("/proc/self/fd/2", "/dev/stderr")]
        if FileSystem.exists("/proc/kcore") { links.append(("/proc/kcore", "/dev/core")) }
        if FileSystem.exists(rootfs + "/dev/pts/ptmx") { links.append(("pts/ptmx", "/dev/ptmx")) }
        for (target, link) in links {
            let path = rootfs + link
            if FileSystem.lstatMode(path) != nil {
                if link == "/dev/ptmx" { unlink(path) } else { continue }
            }
            try syscall("symlink", link) { symlink(target, path) }
        }
    }

    // MARK: after the mounts

    /// Makes rootfs the container's "/". With --no-pivot, moves it over "/" and chroots,
    /// for hosts whose root is on a ramfs where pivot_root cannot work.
    func switchRoot(noPivot: Bool) throws {
        try syscall("chdir", rootfs) { chdir(rootfs) }
        if noPivot {
            try Mounts.mount(source: rootfs, target: "/", type: nil, flags: .move, data: nil)
            try syscall("chroot", rootfs) { chroot(".") }
        } else {
            // pivot_root(".", ".") stacks the old root on top of the new one. Reach the old root
            // through a descriptor taken before (a path would name the new root), make it a
            // slave so its detach cannot propagate to the host, then detach it.
            let oldRoot = try syscall("open", "/") { wl_open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) }
            defer { close(oldRoot) }
            try syscall("pivot_root", rootfs) { wl_pivot_root(".", ".") }
            try syscall("fchdir", "old root") { fchdir(oldRoot) }
            try Mounts.mount(source: nil, target: ".", type: nil, flags: [.slave, .recursive], data: nil)
            try Mounts.unmount(".", detach: true)
        }
        try syscall("chdir", "/") { chdir("/") }
        // The container's "/" itself shows rootfsPropagation; mounts below keep their own.
        if let prop = try propagationFlags(linux.rootfsPropagation) {
            try Mounts.mount(source: nil, target: "/", type: nil, flags: prop.subtracting(.recursive), data: nil)
        }
    }

    func applyMaskedAndReadonlyPaths() throws {
        for p in linux.readonlyPaths ?? [] {
            guard FileSystem.lstatMode(p) != nil else { continue }
            try Mounts.mount(source: p, target: p, type: "bind", flags: [.bind, .recursive], data: nil)
            try Mounts.remountBind(p, flags: [.readOnly, .recursive])
        }
        for p in linux.maskedPaths ?? [] {
            guard let kind = FileSystem.lstatMode(p) else { continue }
            if kind == S_IFDIR {
                try Mounts.mount(source: "tmpfs", target: p, type: "tmpfs", flags: .readOnly, data: nil)
            } else {
                try Mounts.mount(source: "/dev/null", target: p, type: "bind", flags: .bind, data: nil)
            }
        }
    }

    func finishReadonlyRoot() throws {
        if spec.root?.readonly == true {
            try Mounts.remountBind("/", flags: .readOnly)
        }
    }
}

