import CSeccomp
import Glibc
import OCI

/// `linux.seccomp` -> a kernel filter, through a statically linked libseccomp.
///
/// Call order in the container init (runc's): `validate` at create time in the parent;
/// `install` in the init, on the thread that will execve, as the last step before execve
/// when `process.noNewPrivileges` is true (after PR_SET_NO_NEW_PRIVS), or before the
/// capabilities are dropped when it is false (loading a filter without NNP needs
/// CAP_SYS_ADMIN). The filter never sets NO_NEW_PRIVS itself.
public enum SeccompFilter {
    /// Pure checks: unknown actions, operators, architectures and flags, bad rules and
    /// NOTIFY misuse are errors; unknown syscall names are not (they are skipped).
    public static func validate(_ s: OCI.Seccomp) throws {
        let c = try compile(s)
        if c.usesNotify { try requireNotifySupport() }
    }

    /// Builds and loads the filter for the calling thread (all threads with
    /// SECCOMP_FILTER_FLAG_TSYNC). Returns the notify listener fd (close-on-exec) when a
    /// rule uses SCMP_ACT_NOTIFY; the caller must hand it to the runtime, which sends it
    /// to `listenerPath` with `SeccompNotify.send`.
    @discardableResult
    public static func install(_ s: OCI.Seccomp) throws -> Int32? {
        let c = try compile(s)
        if c.usesNotify { try requireNotifySupport() }
        let ctx = try build(c)
        defer { seccomp_release(ctx) }
        let r = seccomp_load(ctx)
        if r < 0 { throw SeccompError.library(call: "seccomp_load", errno: -r, context: "loading the filter into the kernel") }
        guard c.usesNotify else { return nil }
        let fd = seccomp_notify_fd(ctx)
        if fd < 0 { throw SeccompError.library(call: "seccomp_notify_fd", errno: -fd, context: "") }
        return fd
    }

    /// The libseccomp filter context for `c`, not loaded. The caller releases it.
    /// Exposed for tests (seccomp_export_pfc / _bpf on the result).
    public static func build(_ c: CompiledSeccomp) throws -> scmp_filter_ctx {
        guard let ctx = seccomp_init(c.defaultAction.rawValue) else {
            throw SeccompError.library(call: "seccomp_init", errno: EINVAL, context: "default action \(c.defaultAction)")
        }
        do {
            func check(_ r: Int32, _ call: String, _ context: String) throws {
                if r < 0 { throw SeccompError.library(call: call, errno: -r, context: context) }
            }
            for a in c.architectures {
                guard let token = SeccompArchitectures.token(a) else { throw SeccompError.unknownArchitecture(a) }
                let r = seccomp_arch_add(ctx, token)
                if r != -EEXIST { try check(r, "seccomp_arch_add", a) }
            }
            // NO_NEW_PRIVS is the runtime's decision (process.noNewPrivileges), not ours.
            try check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0), "seccomp_attr_set", "CTL_NNP=0")
            for f in c.flags {
                switch f {
                case .tsync:
                    try check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1), "seccomp_attr_set", f.rawValue)
                case .log:
                    try check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1), "seccomp_attr_set", f.rawValue)
                case .specAllow:
                    try check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1), "seccomp_attr_set", f.rawValue)
                case .waitKillableRecv:
                    try check(cseccomp_set_waitkill(ctx), "seccomp_attr_set", f.rawValue)
                }
            }
            // Binary-tree dispatch for long rule sets (runc: more than 32 entries). Not fatal.
            if c.rules.count > 32 { _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) }
            for rule in c.rules {
                var conds = rule.conditions.map(\.scmp)
                let r = conds.withUnsafeMutableBufferPointer { buf in
                    seccomp_rule_add_array(ctx, rule.action.rawValue, rule.number, UInt32(buf.count), buf.baseAddress)
                }
                try check(r, "seccomp_rule_add", "syscall \(rule.syscall), action \(rule.action)")
            }
        } catch {
            seccomp_release(ctx)
            throw error
        }
        return ctx
    }

    /// libseccomp's API level must be >= 6 for SCMP_ACT_NOTIFY (as runc requires).
    static func requireNotifySupport() throws {
        let level = seccomp_api_get()
        if level < 6 {
            throw SeccompError.notify("SCMP_ACT_NOTIFY needs libseccomp API level 6 (libseccomp >= 2.5, Linux >= 5.7), got \(level)")
        }
    }

    /// "2.5.4": the libseccomp headers this was built with.
    public static var headerVersion: String {
        var a: UInt32 = 0, b: UInt32 = 0, c: UInt32 = 0
        cseccomp_header_version(&a, &b, &c)
        return "\(a).\(b).\(c)"
    }

    /// The linked libseccomp's version (static: the same as `headerVersion`).
    public static var libraryVersion: String {
        guard let v = seccomp_version() else { return headerVersion }
        return "\(v.pointee.major).\(v.pointee.minor).\(v.pointee.micro)"
    }

    /// What `warmlane features` should print under linux.seccomp.
    public static func features() -> OCI.Features.SeccompFeatures {
        var f = OCI.Features.SeccompFeatures(enabled: true)
        f.actions = SeccompAction.names
        f.operators = SeccompOperator.allCases.map(\.rawValue)
        f.archs = SeccompArchitectures.byName.keys.filter { SeccompArchitectures.token($0) != nil }.sorted()
        f.knownFlags = SeccompFlag.allCases.map(\.rawValue)
        f.supportedFlags = SeccompFlag.allCases.filter(\.supportedByLibrary).map(\.rawValue)
        return f
    }
}
