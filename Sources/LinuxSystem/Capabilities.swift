import Glibc
import CWarmlane

/// Linux capabilities by name, and the five sets of the calling thread.
public enum Capability {
    /// Index = capability number (linux/capability.h).
    public static let names: [String] = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
        "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
        "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
    ]

    /// The highest capability the running kernel knows (read once: every set asks).
    public static let lastSupported: Int = {
        if let s = try? FileSystem.readString("/proc/sys/kernel/cap_last_cap"),
           let n = Int(s.trimmed) { return min(n, names.count - 1) }
        return names.count - 1
    }()

    public static func number(_ name: String) -> Int? {
        // Configs spell them upper case; uppercased() is a Unicode walk.
        let upper = name.utf8.contains { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") } ? name.uppercased() : name
        return names.firstIndex(of: upper.hasPrefix("CAP_") ? upper : "CAP_" + upper)
    }

    /// Names the kernel does not know are ignored (runc warns and carries on), so a config
    /// written for a newer kernel still runs.
    public static func mask(_ list: [String]?) -> UInt64 {
        let last = lastSupported
        var m: UInt64 = 0
        for n in list ?? [] { if let i = number(n), i <= last { m |= 1 << UInt64(i) } }
        return m
    }

    public static func unknown(_ list: [String]?) -> [String] {
        (list ?? []).filter { number($0) == nil }
    }
}

/// The capability sets to give a process.
public struct CapabilitySets: Equatable, Sendable {
    public var bounding: UInt64, effective: UInt64, permitted: UInt64, inheritable: UInt64, ambient: UInt64
    public init(bounding: UInt64, effective: UInt64, permitted: UInt64, inheritable: UInt64, ambient: UInt64) {
        self.bounding = bounding; self.effective = effective; self.permitted = permitted
        self.inheritable = inheritable; self.ambient = ambient
    }

    /// Applies the sets to the calling thread. Call after the uid switch (with KEEPCAPS),
    /// in the order the kernel requires: bounding, then capset, then ambient.
    public func applyBounding() throws {
        for cap in 0...Capability.lastSupported where bounding & (1 << UInt64(cap)) == 0 {
            try syscall("prctl(PR_CAPBSET_DROP)", Capability.names[cap]) {
                wl_prctl(Int32(WL_PR_CAPBSET_DROP), UInt(cap), 0, 0, 0)
            }
        }
    }

    public func applySets() throws {
        var e: [UInt32] = [UInt32(truncatingIfNeeded: effective), UInt32(truncatingIfNeeded: effective >> 32)]
        var p: [UInt32] = [UInt32(truncatingIfNeeded: permitted), UInt32(truncatingIfNeeded: permitted >> 32)]
        var i: [UInt32] = [UInt32(truncatingIfNeeded: inheritable), UInt32(truncatingIfNeeded: inheritable >> 32)]
        try syscall("capset") { wl_capset(&e, &p, &i) }
    }

    public func applyAmbient() throws {
        _ = wl_prctl(Int32(WL_PR_CAP_AMBIENT), UInt(WL_PR_CAP_AMBIENT_CLEAR_ALL), 0, 0, 0)
        // The kernel only lets a capability be ambient if it is permitted and inheritable;
        // others cannot be raised and are left out, as runc does.
        let raisable = ambient & permitted & inheritable
        for cap in 0...Capability.lastSupported where raisable & (1 << UInt64(cap)) != 0 {
            try syscall("prctl(PR_CAP_AMBIENT_RAISE)", Capability.names[cap]) {
                wl_prctl(Int32(WL_PR_CAP_AMBIENT), UInt(WL_PR_CAP_AMBIENT_RAISE), UInt(cap), 0, 0)
            }
        }
    }
}

