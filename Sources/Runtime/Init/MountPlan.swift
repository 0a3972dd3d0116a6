import Glibc
import OCI
import LinuxSystem
import SystemPackage

/// How one config mount becomes mount(2) calls. Pure, so it is unit-tested without root.
public struct MountStep: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// bind/rbind of a host path (source resolved against the bundle).
        case bind(recursive: Bool)
        /// A v1 or v2 cgroup tree for the container.
        case cgroup
        /// Any filesystem mounted by type (proc, tmpfs, sysfs, devpts, mqueue, ...).
        case filesystem
    }
    public var kind: Kind
    public var source: String
    /// Absolute path inside the container (cleaned).
    public var destination: String
    public var type: String
    public var flags: MountFlags
    public var data: String?
    /// Bind mounts take their flags in a second, remount call.
    public var remountFlags: MountFlags?
    public var propagation: [MountFlags]

    public static func plan(_ m: Mount, bundle: String) throws -> MountStep {
        guard m.destination.hasPrefix("/") else {
            throw RuntimeError.config("mount destination \(m.destination.debugDescription) is not absolute")
        }
        let opts = MountOptions.parse(m.options ?? [])
        let type = m.type ?? ""
        var source = m.source ?? type
        let isBind = opts.isBind || type == "bind"
        if isBind, !source.hasPrefix("/") { source = Path.join(bundle, source) }
        let dest = Path.clean(m.destination)
        if isBind {
            let settable = opts.flags.subtracting([.bind, .recursive, .remount])
            return MountStep(kind: .bind(recursive: opts.flags.contains(.recursive)), source: source, destination: dest,
                             type: "bind", flags: opts.flags.intersection([.bind, .recursive]), data: nil,
                             remountFlags: settable.isEmpty ? nil : settable, propagation: opts.propagation)
        }
        if type == "cgroup" || type == "cgroup2" {
            return MountStep(kind: .cgroup, source: source, destination: dest, type: type,
                             flags: opts.flags, data: opts.dataString, remountFlags: nil, propagation: opts.propagation)
        }
        if type.isEmpty { throw RuntimeError.config("mount \(m.destination) has no type") }
        return MountStep(kind: .filesystem, source: source, destination: dest, type: type, flags: opts.flags,
                         data: opts.dataString, remountFlags: nil, propagation: opts.propagation)
    }
}

/// Resolves a path inside `root` as the container would see it: symlinks are followed,
/// but never out of `root` (an absolute link target restarts at `root`, ".." stops at it).
public func secureJoin(root: String, _ unsafePath: String) throws -> String {
    var pending = unsafePath.split(separator: "/").map(String.init)
    var resolved: [String] = []
    var links = 0
    while !pending.isEmpty {
        let c = pending.removeFirst()
        if c.isEmpty || c == "." { continue }
        if c == ".." { _ = resolved.popLast(); continue }
        let candidate = root + "/" + (resolved + [c]).concatenated(separator: "/")
        if let target = readSymlink(candidate) {
            links += 1
            if links > 255 { throw SyscallError("resolve", unsafePath, errno: .tooManySymbolicLinkLevels) }
            if target.hasPrefix("/") { resolved = [] }
            pending = target.split(separator: "/").map(String.init) + pending
        } else {
            resolved.append(c)
        }
    }
    return resolved.isEmpty ? (root.isEmpty ? "/" : root) : root + "/" + resolved.concatenated(separator: "/")
}

func readSymlink(_ path: String) -> String? {
    var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlink(path, &buf, Int(PATH_MAX))
    guard n >= 0 else { return nil }
    return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
