import Glibc
import CWarmlane
import OCI
import LinuxSystem
import Cgroups

public struct ExecOptions: Sendable {
    public var process: OCI.Process
    public var consoleSocket: String?
    public var detach = false
    public var pidFile: String?
    public var preserveFDs = 0
    public var ignorePaused = false
    public init(process: OCI.Process) { self.process = process }
}

extension Runtime {
    /// Runs another process in a container: it joins the init's namespaces and cgroups and
    /// gets its own user, capabilities, rlimits and no_new_privs. Returns its exit code, or 0
    /// once it has exec'd when detached.
    public func exec(id: String, options: ExecOptions) throws -> Int32 {
        try exec(container(id), options: options)
    }

    /// The same, for a container already loaded (the CLI reads it to build the process).
    public func exec(_ c: Container, options: ExecOptions) throws -> Int32 {
        switch c.status {
        case .running, .created: break
        case .paused where options.ignorePaused: break
        case .paused: throw RuntimeError.unsupported("cannot exec in a paused container (use --ignore-paused to override)")
        default: throw RuntimeError.notRunning
        }
        let process = options.process
        guard let first = process.args?.first, !first.isEmpty else { throw RuntimeError.config("exec: process.args must not be empty") }
        for r in process.rlimits ?? [] where ProcessSetup.rlimitNumbers[r.type] == nil {
            throw RuntimeError.config("unknown rlimit type \(r.type.debugDescription)")
        }
        let initPid = c.record.initProcess.pid
        let ownConsole = process.terminal == true && options.consoleSocket == nil
        if ownConsole && options.detach {
            throw RuntimeError.config("cannot allocate tty if warmlane will detach without setting console socket")
        }

        // Before any setns: the helper must not be born in the container's namespaces.
        AttachWarmup.start()
        defer { AttachWarmup.stop() }  // on failure paths
        Timeline.mark("checked")
        var fds: [Int32] = []
        defer { for fd in fds { close(fd) } }
        // Namespaces that differ from ours, user first (it grants the rights for the rest),
        // mount last (it moves our root into the container).
        var joins: [(String, Int32)] = []
        var parentJoins: [Int32] = []
        for name in ["user", "ipc", "uts", "net", "cgroup", "pid", "time", "mnt"] {
            guard let theirs = readSymlink("/proc/\(initPid)/ns/\(name)"),
                  theirs != readSymlink("/proc/self/ns/\(name)") else { continue }
            let fd = try syscall("open", "/proc/\(initPid)/ns/\(name)") { wl_open("/proc/\(initPid)/ns/\(name)", O_RDONLY | O_CLOEXEC, 0) }
            fds.append(fd)
            if name == "pid" || name == "time" { parentJoins.append(fd) } else { joins.append((name, fd)) }
        }
        var consoleFD: Int32?
        var relayPair: (Int32, Int32)?
        if process.terminal == true {
            if let path = options.consoleSocket {
                consoleFD = try UnixSocket.connect(path: path)
            } else {
                var pair: [Int32] = [0, 0]
                try syscall("socketpair") { socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) }
                relayPair = (pair[0], pair[1])
                consoleFD = pair[1]
            }
            fds.append(consoleFD!)
        }
        let (parentSync, childSync) = try UnixSocket.pair()
        fds.append(childSync)
        defer { close(parentSync) }

        for fd in parentJoins { try syscall("setns", "pid/time") { wl_setns(fd, 0) } }
        let plan = ExecPlan(process: process, syncFD: childSync, joins: joins, consoleSocketFD: consoleFD,
                            preserveFDs: options.preserveFDs, seccomp: c.record.spec.linux?.seccomp)
        Timeline.mark("namespaces opened")
        // On cgroup v2 the process is born in the container's cgroup (see ChildClone).
        let (pid, bornInCgroup) = try ChildClone.fork(flags: 0, into: c.record.cgroups)
        if pid == 0 { ExecInit(plan: plan).run() }
        for fd in fds where fd != relayPair?.0 { close(fd) }
        fds = relayPair.map { [$0.0] } ?? []

        do {
            Timeline.mark("child cloned")
            if !bornInCgroup { try c.record.cgroups.join(pid: pid) }
            AttachWarmup.stop()
            Timeline.mark("child attached to cgroups")
            try UnixSocket.send(parentSync, SyncMessage.cgroupsJoined.encoded)
            // The child's end is close-on-exec: EOF means it exec'd; a message means it failed.
            if let text = try UnixSocket.receive(parentSync) {
                if case .error(let m)? = SyncMessage(text) { throw RuntimeError.initFailed(m) }
                throw RuntimeError.initFailed("unexpected message from exec child: \(text)")
            }
        } catch {
            Glibc.kill(pid, SIGKILL)
            var st: Int32 = 0
            waitpid(pid, &st, 0)
            throw error
        }
        if let pidFile = options.pidFile {
            try FileSystem.writeAtomically(FileSystem.absolute(pidFile), Array(String(pid).utf8), mode: 0o644)
        }
        var master: Int32 = -1
        if let (ours, _) = relayPair {
            var name = [CChar](repeating: 0, count: 64)
            master = wl_recv_fd(ours, &name, 64)
        }
        Timeline.mark("child exec'd")
        if options.detach { return 0 }
        _ = wl_forward_signals_to(pid)
        var status: Int32 = 0
        if master >= 0 {
            status = TerminalRelay(master: master).run(until: pid)
        } else {
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        return exitStatus(status)
    }
}

struct ExecPlan {
    var process: OCI.Process
    var syncFD: Int32
    var joins: [(String, Int32)]
    var consoleSocketFD: Int32?
    var preserveFDs: Int
    var seccomp: Seccomp?
}

/// The exec'd process's setup, in the cloned child (single-threaded, like ContainerInit).
struct ExecInit {
    let plan: ExecPlan

    func run() -> Never {
        do {
            guard let text = try UnixSocket.receive(plan.syncFD), SyncMessage(text) == .cgroupsJoined else {
                _exit(1)
            }
            var inUserNamespace = false
            for (name, fd) in plan.joins {
                try syscall("setns", name) { wl_setns(fd, 0) }
                close(fd)
                if name == "user" {
                    inUserNamespace = true
                    try syscall("setresgid") { wl_setresgid(0, 0, 0) }
                    try syscall("setresuid") { wl_setresuid(0, 0, 0) }
                }
            }
            if plan.process.terminal == true, let sock = plan.consoleSocketFD {
                try Console.setUp(socketFD: sock, size: plan.process.consoleSize, bindDevConsole: false)
            }
            // A notify listener of an exec'd process has no agent to go to: it is closed.
            if let fd = try ProcessSetup(process: plan.process, inUserNamespace: inUserNamespace,
                                         seccomp: plan.seccomp).apply() { close(fd) }
            try ProcessSetup.exec(plan.process, preserveFDs: plan.preserveFDs)
        } catch {
            try? UnixSocket.send(plan.syncFD, SyncMessage.error("\(error)").encoded)
            _exit(1)
        }
    }
}
