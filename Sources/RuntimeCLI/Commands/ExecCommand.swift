#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ArgumentParser
import Runtime
import OCI
import LinuxSystem

struct ExecCommand: EngineVerb {
    static let configuration = CommandConfiguration(commandName: "exec", abstract: "Run a new process in a running container.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("console-socket"), help: "AF_UNIX socket that receives the pty master.") var consoleSocket: String?
    @Option(help: "Working directory in the container.") var cwd: String?
    @Option(name: [.short, .long], help: "Environment variable KEY=VALUE (repeatable).") var env: [String] = []
    @Flag(name: [.short, .long], help: "Allocate a pseudo-terminal.") var tty = false
    @Option(name: [.short, .long], help: "uid[:gid] to run as.") var user: String?
    @Option(name: [.short, .customLong("additional-gids")], help: "Additional gid (repeatable).") var additionalGids: [UInt32] = []
    @Option(name: [.short, .long], help: "Path to a process.json (runtime-spec Process).") var process: String?
    @Flag(name: [.short, .long], help: "Return once the process has started.") var detach = false
    @Option(name: .customLong("pid-file"), help: "File to write the process's pid to.") var pidFile: String?
    @Option(name: .customLong("process-label"), help: "Ignored (no SELinux support).") var processLabel: String?
    @Option(help: "Ignored (no AppArmor support).") var apparmor: String?
    @Flag(name: .customLong("no-new-privs"), help: "Set no_new_privs.") var noNewPrivs = false
    @Option(name: [.short, .long], help: "Add a capability (repeatable).") var cap: [String] = []
    @Option(name: .customLong("preserve-fds"), help: "Pass N extra fds (3..3+N-1).") var preserveFDs: Int = 0
    @Option(help: "Ignored: the process joins the container's cgroup.") var cgroup: String?
    @Flag(name: .customLong("ignore-paused"), help: "Allow exec in a paused container.") var ignorePaused = false
    @Argument(help: "Container id.") var id: String
    @Argument(parsing: .captureForPassthrough, help: "Command and arguments.") var command: [String] = []

    var flags: ExecFlags {
        ExecFlags(consoleSocket: consoleSocket, cwd: cwd, env: env, tty: tty, user: user,
                  additionalGids: additionalGids, process: process, detach: detach, pidFile: pidFile,
                  noNewPrivs: noNewPrivs, cap: cap, preserveFDs: preserveFDs, ignorePaused: ignorePaused,
                  command: command)
    }

    var call: EngineCall { .exec(id: id, flags) }
}

/// exec's flags as plain values (see EngineCall).
struct ExecFlags: Equatable {
    var consoleSocket: String?
    var cwd: String?
    var env: [String] = []
    var tty = false
    var user: String?
    var additionalGids: [UInt32] = []
    var process: String?
    var detach = false
    var pidFile: String?
    var noNewPrivs = false
    var cap: [String] = []
    var preserveFDs = 0
    var ignorePaused = false
    var command: [String] = []

    func execute(_ runtime: Runtime, id: String) throws -> Int32 {
        // Read the state once: the process may be built from the container's own.
        let container = try runtime.container(id)
        Timeline.mark("state loaded")
        var o = ExecOptions(process: try buildProcess(container))
        o.consoleSocket = consoleSocket
        o.detach = detach
        o.pidFile = pidFile
        o.preserveFDs = preserveFDs
        o.ignorePaused = ignorePaused
        return try runtime.exec(container, options: o)
    }

    /// --process as given; otherwise the container's own process with the flags applied.
    func buildProcess(_ container: Container) throws -> OCI.Process {
        if let path = process {
            let bytes: [UInt8]
            do { bytes = try FileSystem.read(path) } catch { throw RuntimeError.config("cannot read \(path): \(error)") }
            do { return try JSONDecoder().decode(OCI.Process.self, from: Data(bytes)) }
            catch { throw RuntimeError.config("\(path): invalid process JSON: \(error)") }
        }
        guard !command.isEmpty else { throw ValidationError("exec needs a command (or --process)") }
        var p = container.record.spec.process ?? OCI.Process()
        p.args = command
        p.terminal = tty
        p.consoleSize = nil
        if let cwd { p.cwd = cwd }
        p.env = Environment.merge(p.env ?? [], env)
        if let user {
            let parts = user.split(separator: ":", maxSplits: 1)
            guard let uid = UInt32(parts[0]), parts.count == 1 || UInt32(parts[1]) != nil else {
                throw ValidationError("--user must be uid[:gid] in numbers, got \(user.debugDescription)")
            }
            p.user = User(uid: uid, gid: parts.count > 1 ? UInt32(parts[1])! : 0, umask: p.user.umask)
        }
        if !additionalGids.isEmpty { p.user.additionalGids = additionalGids }
        if noNewPrivs { p.noNewPrivileges = true }
        if !cap.isEmpty {
            var c = p.capabilities ?? Capabilities()
            for name in cap {
                guard Capability.number(name) != nil else { throw ValidationError("unknown capability \(name.debugDescription)") }
                let n = name.uppercased().hasPrefix("CAP_") ? name.uppercased() : "CAP_" + name.uppercased()
                c.bounding = (c.bounding ?? []) + [n]; c.effective = (c.effective ?? []) + [n]
                c.permitted = (c.permitted ?? []) + [n]; c.inheritable = (c.inheritable ?? []) + [n]
                c.ambient = (c.ambient ?? []) + [n]
            }
            p.capabilities = c
        }
        return p
    }
}

/// KEY=VALUE lists, as a process sees them: a later value replaces an earlier one with the
/// same key, in the earlier one's place.
enum Environment {
    static func merge(_ base: [String], _ overrides: [String]) -> [String] {
        var out = base
        for item in overrides {
            let key = item.split(separator: "=", maxSplits: 1).first.map(String.init) ?? item
            if let i = out.firstIndex(where: { ($0.split(separator: "=", maxSplits: 1).first.map(String.init) ?? $0) == key }) {
                out[i] = item
            } else {
                out.append(item)
            }
        }
        return out
    }
}
