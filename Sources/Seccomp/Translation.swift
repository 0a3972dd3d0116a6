import CSeccomp
import Glibc
import OCI

// The pure half of the seccomp layer: runtime-spec strings -> libseccomp values.
// Nothing here touches the kernel; `SeccompFilter.validate` is `compile` alone.

/// A seccomp action with its return data (errno / trace message).
public enum SeccompAction: Equatable, Hashable, Sendable {
    case killThread, killProcess, trap, errno(UInt16), trace(UInt16), allow, log, notify

    /// Every spelling the runtime-spec knows. `SCMP_ACT_KILL` is KILL_THREAD, as in libseccomp and runc.
    public static let names = [
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
    ]

    /// `errnoRet` applies to ERRNO and TRACE; both default to EPERM, as runc does.
    /// Returns nil for an unknown name.
    public static func parse(_ name: String, errnoRet: UInt32?) throws -> SeccompAction? {
        func ret() throws -> UInt16 {
            guard let e = errnoRet else { return UInt16(EPERM) }
            guard e <= UInt32(UInt16.max) else { throw RetOutOfRange(value: e) }
            return UInt16(e)
        }
        switch name {
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": return .killThread
        case "SCMP_ACT_KILL_PROCESS": return .killProcess
        case "SCMP_ACT_TRAP": return .trap
        case "SCMP_ACT_ERRNO": return .errno(try ret())
        case "SCMP_ACT_TRACE": return .trace(try ret())
        case "SCMP_ACT_ALLOW": return .allow
        case "SCMP_ACT_LOG": return .log
        case "SCMP_ACT_NOTIFY": return .notify
        default: return nil
        }
    }
    struct RetOutOfRange: Error { var value: UInt32 }

    /// The 32-bit action value libseccomp (and the kernel) use.
    public var rawValue: UInt32 {
        switch self {
        case .killThread: return cseccomp_act_kill_thread()
        case .killProcess: return cseccomp_act_kill_process()
        case .trap: return cseccomp_act_trap()
        case .errno(let e): return cseccomp_act_errno(e)
        case .trace(let m): return cseccomp_act_trace(m)
        case .allow: return cseccomp_act_allow()
        case .log: return cseccomp_act_log()
        case .notify: return cseccomp_act_notify()
        }
    }
}

/// An argument comparison operator.
public enum SeccompOperator: String, CaseIterable, Sendable {
    case notEqual = "SCMP_CMP_NE"
    case lessThan = "SCMP_CMP_LT"
    case lessOrEqual = "SCMP_CMP_LE"
    case equal = "SCMP_CMP_EQ"
    case greaterOrEqual = "SCMP_CMP_GE"
    case greaterThan = "SCMP_CMP_GT"
    case maskedEqual = "SCMP_CMP_MASKED_EQ"

    public var scmp: scmp_compare {
        switch self {
        case .notEqual: return SCMP_CMP_NE
        case .lessThan: return SCMP_CMP_LT
        case .lessOrEqual: return SCMP_CMP_LE
        case .equal: return SCMP_CMP_EQ
        case .greaterOrEqual: return SCMP_CMP_GE
        case .greaterThan: return SCMP_CMP_GT
        case .maskedEqual: return SCMP_CMP_MASKED_EQ
        }
    }
}

/// One argument condition, already in libseccomp's shape. For SCMP_CMP_MASKED_EQ
/// `datumA` is the mask (`value`) and `datumB` the expected result (`valueTwo`).
public struct SeccompCondition: Equatable, Sendable {
    public var index: UInt32
    public var op: SeccompOperator
    public var datumA: UInt64
    public var datumB: UInt64

    public var scmp: scmp_arg_cmp {
        scmp_arg_cmp(arg: index, op: op.scmp, datum_a: datumA, datum_b: datumB)
    }
}

/// One `seccomp_rule_add_array` call. Conditions are ANDed; separate rules for the
/// same syscall are ORed.
public struct SeccompRule: Equatable, Sendable {
    public var syscall: String
    /// libseccomp's number for the native arch (negative for a pseudo-syscall that
    /// only exists on other arches, e.g. `socketcall` on x86_64).
    public var number: Int32
    public var action: SeccompAction
    public var conditions: [SeccompCondition]
}

/// Known `flags` and what they become.
public enum SeccompFlag: String, CaseIterable, Sendable {
    case tsync = "SECCOMP_FILTER_FLAG_TSYNC"
    case log = "SECCOMP_FILTER_FLAG_LOG"
    case specAllow = "SECCOMP_FILTER_FLAG_SPEC_ALLOW"
    case waitKillableRecv = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"

    /// Whether this build's libseccomp can set the flag (WAIT_KILLABLE_RECV needs 2.6).
    public var supportedByLibrary: Bool {
        self != .waitKillableRecv || cseccomp_has_waitkill() != 0
    }
}

/// The runtime-spec architecture names and the libseccomp names they resolve to.
public enum SeccompArchitectures {
    public static let byName: [String: String] = [
        "SCMP_ARCH_X86": "x86", "SCMP_ARCH_X86_64": "x86_64", "SCMP_ARCH_X32": "x32",
        "SCMP_ARCH_ARM": "arm", "SCMP_ARCH_AARCH64": "aarch64",
        "SCMP_ARCH_MIPS": "mips", "SCMP_ARCH_MIPS64": "mips64", "SCMP_ARCH_MIPS64N32": "mips64n32",
        "SCMP_ARCH_MIPSEL": "mipsel", "SCMP_ARCH_MIPSEL64": "mipsel64", "SCMP_ARCH_MIPSEL64N32": "mipsel64n32",
        "SCMP_ARCH_PPC": "ppc", "SCMP_ARCH_PPC64": "ppc64", "SCMP_ARCH_PPC64LE": "ppc64le",
        "SCMP_ARCH_S390": "s390", "SCMP_ARCH_S390X": "s390x",
        "SCMP_ARCH_PARISC": "parisc", "SCMP_ARCH_PARISC64": "parisc64",
        "SCMP_ARCH_RISCV64": "riscv64",
    ]

    /// libseccomp's AUDIT_ARCH token for a runtime-spec name, or nil if unknown here
    /// or to the linked libseccomp.
    public static func token(_ name: String) -> UInt32? {
        guard let lib = byName[name] else { return nil }
        let t = seccomp_arch_resolve_name(lib)
        return t == 0 ? nil : t
    }
}

/// A validated, translated `linux.seccomp`: exactly what `install` hands libseccomp.
public struct CompiledSeccomp: Equatable, Sendable {
    public var defaultAction: SeccompAction
    /// runtime-spec names, in order, duplicates removed.
    public var architectures: [String]
    public var flags: [SeccompFlag]
    public var rules: [SeccompRule]
    /// Names libseccomp does not know: skipped, as runc does (an older kernel's profile
    /// may list syscalls this one lacks).
    public var skippedSyscalls: [String]
    public var usesNotify: Bool
}

extension SeccompFilter {
    /// Translates `s` without touching the kernel. Throws on anything runc rejects.
    public static func compile(_ s: OCI.Seccomp) throws -> CompiledSeccomp {
        let defaultAction: SeccompAction
        do {
            guard let a = try SeccompAction.parse(s.defaultAction, errnoRet: s.defaultErrnoRet) else {
                throw SeccompError.unknownAction(s.defaultAction, rule: nil)
            }
            defaultAction = a
        } catch let e as SeccompAction.RetOutOfRange {
            throw SeccompError.invalidDefault(reason: "defaultErrnoRet \(e.value) is out of range (0...65535)")
        }
        if defaultAction == .notify {
            throw SeccompError.notify("SCMP_ACT_NOTIFY cannot be used as the default action")
        }

        var archs: [String] = []
        for a in s.architectures ?? [] {
            guard SeccompArchitectures.token(a) != nil else { throw SeccompError.unknownArchitecture(a) }
            if !archs.contains(a) { archs.append(a) }
        }

        var flags: [SeccompFlag] = []
        for f in s.flags ?? [] {
            guard let flag = SeccompFlag(rawValue: f) else { throw SeccompError.unknownFlag(f) }
            guard flag.supportedByLibrary else {
                throw SeccompError.unsupportedFlag(f, reason: "needs libseccomp >= 2.6, built against \(SeccompFilter.headerVersion)")
            }
            if !flags.contains(flag) { flags.append(flag) }
        }

        var rules: [SeccompRule] = []
        var skipped: [String] = []
        var usesNotify = false
        for (i, call) in (s.syscalls ?? []).enumerated() {
            let firstName = call.names.first ?? ""
            let action: SeccompAction
            do {
                guard let a = try SeccompAction.parse(call.action, errnoRet: call.errnoRet) else {
                    throw SeccompError.unknownAction(call.action, rule: i)
                }
                action = a
            } catch let e as SeccompAction.RetOutOfRange {
                throw SeccompError.invalidRule(syscall: firstName, rule: i,
                                               reason: "errnoRet \(e.value) is out of range (0...65535)")
            }

            // Operators and indexes are checked even when the rule ends up skipped.
            var conditions: [SeccompCondition] = []
            var perIndex = [Int](repeating: 0, count: 6)
            for arg in call.args ?? [] {
                guard let op = SeccompOperator(rawValue: arg.op) else {
                    throw SeccompError.unknownOperator(arg.op, syscall: firstName, rule: i)
                }
                guard arg.index < 6 else {
                    throw SeccompError.invalidRule(syscall: firstName, rule: i,
                                                   reason: "argument index \(arg.index) is out of range (0...5)")
                }
                perIndex[Int(arg.index)] += 1
                conditions.append(SeccompCondition(index: UInt32(arg.index), op: op,
                                                   datumA: arg.value, datumB: arg.valueTwo ?? 0))
            }
            // runc: when two conditions test the same argument they cannot be ANDed in
            // one libseccomp rule, so each becomes its own rule (ORed).
            let groups: [[SeccompCondition]] = perIndex.contains(where: { $0 > 1 })
                ? conditions.map { [$0] } : [conditions]

            for name in call.names {
                guard !name.isEmpty else {
                    throw SeccompError.invalidRule(syscall: "", rule: i, reason: "empty string is not a valid syscall name")
                }
                if action == .notify {
                    // The init writes to its parent after loading the filter (runc has the same rule).
                    if name == "write" {
                        throw SeccompError.notify("syscalls[\(i)]: SCMP_ACT_NOTIFY cannot be used for the write syscall")
                    }
                    usesNotify = true
                }
                // Same action as the default: redundant, and libseccomp would refuse it.
                if action == defaultAction { continue }
                let nr = seccomp_syscall_resolve_name(name)
                if nr == __NR_SCMP_ERROR {
                    if !skipped.contains(name) { skipped.append(name) }
                    continue
                }
                for g in groups {
                    rules.append(SeccompRule(syscall: name, number: nr, action: action, conditions: g))
                }
            }
        }
        if usesNotify {
            guard let p = s.listenerPath, !p.isEmpty else {
                throw SeccompError.notify("SCMP_ACT_NOTIFY is used but listenerPath is not set")
            }
        }
        return CompiledSeccomp(defaultAction: defaultAction, architectures: archs, flags: flags,
                               rules: rules, skippedSyscalls: skipped, usesNotify: usesNotify)
    }
}
