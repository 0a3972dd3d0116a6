import Glibc

/// Why a `linux.seccomp` section was rejected or could not be loaded. Every case names
/// the offending syscall / rule / value so the message can go straight to the user.
public enum SeccompError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `rule` is the index into `syscalls` (nil for the default action).
    case unknownAction(String, rule: Int?)
    case unknownOperator(String, syscall: String, rule: Int)
    case unknownArchitecture(String)
    case unknownFlag(String)
    /// A known flag this libseccomp/kernel cannot set.
    case unsupportedFlag(String, reason: String)
    /// A structurally invalid rule (empty name, arg index > 5, errno out of range ...).
    case invalidRule(syscall: String, rule: Int, reason: String)
    case invalidDefault(reason: String)
    /// SCMP_ACT_NOTIFY misuse or missing kernel/library support.
    case notify(String)
    /// A libseccomp call failed (`errno` is positive).
    case library(call: String, errno: Int32, context: String)
    /// Sending the listener fd to `listenerPath` failed.
    case listener(path: String, errno: Int32)

    public var description: String {
        switch self {
        case let .unknownAction(a, nil):
            return "seccomp: unknown defaultAction \(quoted(a))"
        case let .unknownAction(a, rule?):
            return "seccomp: syscalls[\(rule)]: unknown action \(quoted(a))"
        case let .unknownOperator(op, name, rule):
            return "seccomp: syscalls[\(rule)] (\(name)): unknown argument operator \(quoted(op))"
        case let .unknownArchitecture(a):
            return "seccomp: unknown architecture \(quoted(a))"
        case let .unknownFlag(f):
            return "seccomp: unknown flag \(quoted(f))"
        case let .unsupportedFlag(f, reason):
            return "seccomp: flag \(f) is not supported: \(reason)"
        case let .invalidRule(name, rule, reason):
            return "seccomp: syscalls[\(rule)] (\(name.isEmpty ? "<empty name>" : name)): \(reason)"
        case let .invalidDefault(reason):
            return "seccomp: \(reason)"
        case let .notify(m):
            return "seccomp: \(m)"
        case let .library(call, e, context):
            return "seccomp: \(call) failed\(context.isEmpty ? "" : " (\(context))"): \(errnoText(e))"
        case let .listener(path, e):
            return "seccomp: sending the notify fd to listenerPath \(quoted(path)) failed: \(errnoText(e))"
        }
    }
}

private func quoted(_ s: String) -> String { "\"\(s)\"" }

func errnoText(_ e: Int32) -> String {
    if let p = strerror(e) { return "\(String(cString: p)) (errno \(e))" }
    return "errno \(e)"
}
