import Glibc

/// mount(2) flags (linux/mount.h values; stable kernel ABI).
public struct MountFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }
    public static let readOnly = MountFlags(rawValue: 1)
    public static let noSUID = MountFlags(rawValue: 2)
    public static let noDev = MountFlags(rawValue: 4)
    public static let noExec = MountFlags(rawValue: 8)
    public static let synchronous = MountFlags(rawValue: 16)
    public static let remount = MountFlags(rawValue: 32)
    public static let mandLock = MountFlags(rawValue: 64)
    public static let dirSync = MountFlags(rawValue: 128)
    public static let noSymFollow = MountFlags(rawValue: 256)
    public static let noATime = MountFlags(rawValue: 1024)
    public static let noDirATime = MountFlags(rawValue: 2048)
    public static let bind = MountFlags(rawValue: 4096)
    public static let move = MountFlags(rawValue: 8192)
    public static let recursive = MountFlags(rawValue: 16384)
    public static let silent = MountFlags(rawValue: 32768)
    public static let unbindable = MountFlags(rawValue: 1 << 17)
    public static let `private` = MountFlags(rawValue: 1 << 18)
    public static let slave = MountFlags(rawValue: 1 << 19)
    public static let shared = MountFlags(rawValue: 1 << 20)
    public static let relATime = MountFlags(rawValue: 1 << 21)
    public static let strictATime = MountFlags(rawValue: 1 << 24)
    public static let lazyTime = MountFlags(rawValue: 1 << 25)

    public static let propagation: MountFlags = [.unbindable, .private, .slave, .shared]
}

/// A mount's `options` list, split the way mount(8) and runc split it: flags to set,
/// flags to clear, propagation changes, and the rest as filesystem data.
public struct MountOptions: Equatable, Sendable {
    public var flags: MountFlags = []
    public var cleared: MountFlags = []
    /// Each entry is applied with its own mount(2) call, in order.
    public var propagation: [MountFlags] = []
    public var data: [String] = []
    /// Options this runtime recognised but does not act on (e.g. idmap, "rro").
    public var ignored: [String] = []

    public init() {}

    static let setting: [String: MountFlags] = [
        "ro": .readOnly, "nosuid": .noSUID, "nodev": .noDev, "noexec": .noExec, "sync": .synchronous,
        "remount": .remount, "mand": .mandLock, "dirsync": .dirSync, "nosymfollow": .noSymFollow,
        "noatime": .noATime, "nodiratime": .noDirATime, "bind": .bind, "rbind": [.bind, .recursive],
        "relatime": .relATime, "strictatime": .strictATime, "lazytime": .lazyTime, "silent": .silent,
    ]
    static let clearing: [String: MountFlags] = [
        "rw": .readOnly, "suid": .noSUID, "dev": .noDev, "exec": .noExec, "async": .synchronous,
        "nomand": .mandLock, "atime": .noATime, "diratime": .noDirATime, "norelatime": .relATime,
        "nostrictatime": .strictATime, "symfollow": .noSymFollow, "loud": .silent,
    ]
    static let propagations: [String: MountFlags] = [
        "private": .private, "rprivate": [.private, .recursive], "shared": .shared,
        "rshared": [.shared, .recursive], "slave": .slave, "rslave": [.slave, .recursive],
        "unbindable": .unbindable, "runbindable": [.unbindable, .recursive],
    ]
    static let recognisedButIgnored: Set<String> = [
        "defaults", "auto", "noauto", "user", "nouser", "_netdev", "idmap", "ridmap", "tmpcopyup",
        "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "rnoatime", "ratime",
        "rnodiratime", "rdiratime", "rrelatime", "rnorelatime", "rstrictatime", "rnostrictatime",
        "rnosymfollow", "rsymfollow",
    ]

    public static func parse(_ options: [String]) -> MountOptions {
        var o = MountOptions()
        for opt in options {
            if let f = setting[opt] { o.flags.insert(f); o.cleared.subtract(f) }
            else if let f = clearing[opt] { o.flags.subtract(f); o.cleared.insert(f) }
            else if let p = propagations[opt] { o.propagation.append(p) }
            else if recognisedButIgnored.contains(opt) { o.ignored.append(opt) }
            else { o.data.append(opt) }
        }
        return o
    }

    public var isBind: Bool { flags.contains(.bind) }
    public var dataString: String? { data.isEmpty ? nil : data.concatenated(separator: ",") }
}

public enum Mounts {
    public static func mount(source: String?, target: String, type: String?, flags: MountFlags, data: String?) throws {
        try syscall("mount", target) { Glibc.mount(source ?? "", target, type, flags.rawValue, data) }
    }

    public static func unmount(_ target: String, detach: Bool = true) throws {
        try syscall("umount", target) { umount2(target, detach ? Int32(MNT_DETACH) : 0) }
    }

    /// Read-only remount of a bind mount keeps the flags it already has (the kernel would
    /// otherwise refuse to drop locked nosuid/nodev/noexec in a user namespace).
    public static func remountBind(_ target: String, flags: MountFlags) throws {
        var f = flags.union([.bind, .remount])
        var sv = statvfs()
        if statvfs(target, &sv) == 0 {
            let existing = UInt(sv.f_flag)
            // ST_NOSUID=2, ST_NODEV=4, ST_NOEXEC=8, ST_NOATIME=1024, ST_NODIRATIME=2048, ST_RELATIME=4096
            if existing & 2 != 0 { f.insert(.noSUID) }
            if existing & 4 != 0 { f.insert(.noDev) }
            if existing & 8 != 0 { f.insert(.noExec) }
        }
        try mount(source: nil, target: target, type: nil, flags: f, data: nil)
    }
}
