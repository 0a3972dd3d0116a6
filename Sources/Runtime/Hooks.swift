#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import CWarmlane
import OCI
import LinuxSystem
import SystemPackage

/// OCI hooks: each is an executable given the container state JSON on stdin.
public enum HookPoint: String, Sendable {
    case prestart, createRuntime, createContainer, startContainer, poststart, poststop

    func hooks(in spec: Spec) -> [Hook] {
        let h = spec.hooks
        switch self {
        case .prestart: return h?.prestart ?? []
        case .createRuntime: return h?.createRuntime ?? []
        case .createContainer: return h?.createContainer ?? []
        case .startContainer: return h?.startContainer ?? []
        case .poststart: return h?.poststart ?? []
        case .poststop: return h?.poststop ?? []
        }
    }
}

public enum Hooks {
    /// Runs the hooks of one point in order; the first failure stops them and is thrown.
    public static func run(_ point: HookPoint, spec: Spec, state: State) throws {
        let hooks = point.hooks(in: spec)
        if hooks.isEmpty { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let input = Array(try encoder.encode(state))
        for hook in hooks {
            try run(hook, input: input, point: point)
        }
    }

    static func run(_ hook: Hook, input: [UInt8], point: HookPoint) throws {
        let fail = { (why: String) in RuntimeError.hook("error running \(point.rawValue) hook \(hook.path): \(why)") }
        var stdinPipe: [Int32] = [0, 0]
        try syscall("pipe2") { wl_pipe2(&stdinPipe, 1) }
        var stderrPipe: [Int32] = [0, 0]
        try syscall("pipe2") { wl_pipe2(&stderrPipe, 1) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)

        let argv = (hook.args?.isEmpty == false ? hook.args! : [hook.path])
        let env = hook.env ?? currentEnvironment()
        var pid: pid_t = 0
        let rc = withCStringArray(argv) { cargv in
            withCStringArray(env) { cenv in posix_spawn(&pid, hook.path, &actions, nil, cargv, cenv) }
        }
        close(stdinPipe[0]); close(stderrPipe[1])
        defer { close(stderrPipe[0]) }
        if rc != 0 {
            close(stdinPipe[1])
            throw fail(Errno(rawValue: rc).description.lowercased())
        }
        // A hook that does not read its stdin must not block us: ignore EPIPE.
        let old = signal(SIGPIPE, SIG_IGN)
        _ = try? FileSystem.writeAll(fd: stdinPipe[1], input, path: "hook stdin")
        signal(SIGPIPE, old)
        close(stdinPipe[1])

        let deadline = hook.timeout.map { Clock.monotonicSeconds() + Double($0) }
        if let t = hook.timeout, t <= 0 { throw RuntimeError.config("hook \(hook.path): timeout must be positive") }
        var status: Int32 = 0
        var delay: UInt32 = 200
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { throw fail("waitpid: \(Errno(rawValue: errno))") }
            if let d = deadline, Clock.monotonicSeconds() >= d {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw fail("timed out after \(hook.timeout!)s")
            }
            usleep(delay)
            delay = min(delay * 2, 10_000)
        }
        if exitStatus(status) != 0 {
            _ = wl_fcntl_setfl_nonblock(stderrPipe[0], 1)
            var buf = [UInt8](repeating: 0, count: 4096)
            let n = read(stderrPipe[0], &buf, buf.count)
            let stderr = n > 0 ? ": " + String(decoding: buf[0..<n], as: UTF8.self).trimmed : ""
            throw fail(describe(status: status) + stderr)
        }
    }
}

/// Exit code as a shell reports it: the status, or 128 + signal.
public func exitStatus(_ status: Int32) -> Int32 {
    let sig = status & 0x7f
    if sig == 0 { return (status >> 8) & 0xff }
    return 128 + sig
}

func describe(status: Int32) -> String {
    let sig = status & 0x7f
    return sig == 0 ? "exit status \((status >> 8) & 0xff)" : "signal: \(sig)"
}

func currentEnvironment() -> [String] {
    var out: [String] = []
    var p = environ
    while let s = p.pointee { out.append(String(cString: s)); p += 1 }
    return out
}

/// Runs `body` with a NULL-terminated char*[] built from `strings`.
func withCStringArray<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var ptrs: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    ptrs.append(nil)
    defer { for p in ptrs { free(p) } }
    return body(ptrs)
}

