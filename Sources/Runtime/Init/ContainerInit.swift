import Glibc
import CWarmlane
import OCI
import LinuxSystem
import Cgroups

/// Everything the init child needs. It is built by the parent before clone, so the
/// child (a copy of the parent's memory) simply has it.
struct InitPlan {
    var id: String
    var bundle: String
    var rootfs: String
    var spec: Spec
    var process: OCI.Process
    var syncFD: Int32
    /// An O_PATH descriptor of the exec fifo, reopened for writing via /proc/self/fd.
    var fifoFD: Int32
    var consoleSocketFD: Int32?
    var noPivot: Bool
    var noNewKeyring: Bool
    var preserveFDs: Int
    /// Namespaces to join by path, user namespace first; pid and time were joined by the parent.
    var joins: [(NamespaceType, Int32)]
    var newUserNamespace: Bool
    /// Unshared by the child once the parent has put it in its cgroups, so the
    /// namespace's root is the container's cgroup.
    var newCgroupNamespace: Bool
    /// Unshared by the child; offsets must be written before anything enters it.
    var newTimeNamespace: Bool
    /// The host's cgroup hierarchies and the container's directories in them (created by
    /// the parent).
    var cgroupLayout: CgroupLayout
    var cgroups: CgroupSet
    var inUserNamespace: Bool
}

/// The container's init, running in the cloned child. It never returns: it execs the
/// user process or exits. The parent was single-threaded at clone time, so Swift is
/// safe to run here; nothing here may start a thread.
struct ContainerInit {
    let plan: InitPlan

    func run() -> Never {
        var hostPid: Int32 = 0
        do {
            hostPid = try prepare()
        } catch {
            try? UnixSocket.send(plan.syncFD, SyncMessage.error("\(error)").encoded)
            _exit(1)
        }
        do {
            try waitForStartThenExec(hostPid: hostPid)
        } catch {
            // The runtime is gone by now; the container's stderr is all we have.
            let msg = "warmlane init: \(error)\n"
            _ = msg.withCString { write(2, $0, strlen($0)) }
            _exit(127)
        }
    }

    private func receive(_ expected: SyncMessage) throws {
        guard let text = try UnixSocket.receive(plan.syncFD), SyncMessage(text) == expected else {
            throw RuntimeError.initFailed("runtime went away during create")
        }
    }

    /// Hook state as the spec defines it for hooks run inside the container.
    private func hookState(hostPid: Int32) -> State {
        State(id: plan.id, pid: hostPid, status: .creating, bundle: plan.bundle, rootfs: plan.rootfs,
              created: "", annotations: plan.spec.annotations)
    }

    /// Returns our pid as the host sees it (hooks report it).
    private func prepare() throws -> Int32 {
        Timeline.mark("init: cloned")
        let spec = plan.spec
        if plan.newUserNamespace { try receive(.mapsWritten) }
        for (type, fd) in plan.joins {
            try syscall("setns", type.rawValue) { wl_setns(fd, 0) }
            close(fd)
        }
        if plan.inUserNamespace {
            try syscall("setresgid") { wl_setresgid(0, 0, 0) }
            try syscall("setresuid") { wl_setresuid(0, 0, 0) }
        }
        if plan.newTimeNamespace {
            try syscall("unshare", "time") { wl_unshare(WL_CLONE_NEWTIME) }
            let offsets = (plan.spec.linux?.timeOffsets ?? [:]).sorted { $0.key < $1.key }
            for (clock, o) in offsets {
                // The exec'd process enters the new time namespace with these offsets.
                try FileSystem.write("/proc/self/timens_offsets", "\(clock) \(o.secs ?? 0) \(o.nanosecs ?? 0)", flags: O_WRONLY)
            }
        }
        if setsid() < 0 && errno != EPERM { throw SyscallError.last("setsid") }
        if !plan.noNewKeyring {
            // A fresh session keyring keeps the host's keys out; kernels without keys are fine.
            if wl_keyctl_join_session_keyring("_ses.\(plan.id)") < 0 && errno != ENOSYS && errno != EPERM && errno != EACCES {
                throw SyscallError.last("keyctl(JOIN_SESSION_KEYRING)")
            }
        }
        // Before pivot_root the host's /proc is still at /proc: learn our pid as the host sees it.
        let hostPid = Int32(readSymlink("/proc/self") ?? "") ?? getpid()
        if let adj = plan.process.oomScoreAdj {
            try FileSystem.write("/proc/self/oom_score_adj", String(adj), flags: O_WRONLY)
        }

        let rootfs = Rootfs(rootfs: plan.rootfs, bundle: plan.bundle, spec: spec,
                            inUserNamespace: plan.inUserNamespace, cgroupLayout: plan.cgroupLayout, cgroups: plan.cgroups)
        let cgroupMounts = try rootfs.prepare()
        Timeline.mark("init: mounts prepared")
        // Attaching to cgroups costs the parent an RCU grace period. Without hooks that must
        // see the finished environment before pivot_root, the init carries on meanwhile and
        // waits only before it would run anything of the user's.
        let hooksBeforePivot = [HookPoint.prestart, .createRuntime, .createContainer].contains { !$0.hooks(in: spec).isEmpty }
        let joinBeforePivot = hooksBeforePivot || (!rootfs.ownCgroupNamespace && !cgroupMounts.isEmpty)
        func joinCgroups(afterPivot: Bool) throws {
            try receive(.cgroupsJoined)
            Timeline.mark("init: cgroups joined")
            if plan.newCgroupNamespace { try syscall("unshare", "cgroup") { wl_unshare(WL_CLONE_NEWCGROUP) } }
            try rootfs.mountCgroupSteps(cgroupMounts, afterPivot: afterPivot)
        }
        if joinBeforePivot { try joinCgroups(afterPivot: false) }
        if hooksBeforePivot {
            try UnixSocket.send(plan.syncFD, SyncMessage.runCreateRuntimeHooks.encoded)
            try receive(.hooksDone)
            try Hooks.run(.createContainer, spec: spec, state: hookState(hostPid: hostPid))
        }

        try rootfs.switchRoot(noPivot: plan.noPivot)
        Timeline.mark("init: root switched")

        if let h = spec.hostname, !h.isEmpty {
            try syscall("sethostname") { h.withCString { wl_sethostname($0, strlen($0)) } }
        }
        if let d = spec.domainname, !d.isEmpty {
            try syscall("setdomainname") { d.withCString { wl_setdomainname($0, strlen($0)) } }
        }
        for (key, value) in (spec.linux?.sysctl ?? [:]).sorted(by: { $0.key < $1.key }) {
            let path = "/proc/sys/" + key.replacingDots()
            try FileSystem.write(path, value, flags: O_WRONLY | O_TRUNC)
        }
        try rootfs.applyMaskedAndReadonlyPaths()

        if !joinBeforePivot { try joinCgroups(afterPivot: true) }
        if plan.process.terminal == true {
            guard let sock = plan.consoleSocketFD else {
                throw RuntimeError.config("process.terminal is set but no --console-socket was given")
            }
            try Console.setUp(socketFD: sock, size: plan.process.consoleSize, bindDevConsole: true)
        }
        try rootfs.finishReadonlyRoot()

        let listener = try ProcessSetup(process: plan.process, inUserNamespace: plan.inUserNamespace,
                                        seccomp: spec.linux?.seccomp).apply()
        if let fd = listener {
            try UnixSocket.send(plan.syncFD, SyncMessage.seccompListener(fd).encoded)
            try receive(.seccompHandedOver)
            close(fd)
        }
        Timeline.mark("init: process set up")
        _ = try ProcessSetup.resolveExecutable(plan.process)
        try UnixSocket.send(plan.syncFD, SyncMessage.ready.encoded)
        close(plan.syncFD)
        return hostPid
    }

    private func waitForStartThenExec(hostPid: Int32) throws -> Never {
        // Blocks until `start` opens the fifo for reading.
        let path = "/proc/self/fd/\(plan.fifoFD)"
        let fd = try syscall("open exec fifo", path) { wl_open(path, O_WRONLY | O_CLOEXEC, 0) }
        try FileSystem.writeAll(fd: fd, [0x30], path: "exec fifo")
        close(plan.fifoFD)
        // `fd` stays open until exec closes it: `start` reads to EOF, so it returns (and runs
        // poststart hooks) only after the startContainer hooks and the exec.
        var state = hookState(hostPid: hostPid)
        state.status = .running
        try Hooks.run(.startContainer, spec: plan.spec, state: state)
        Timeline.mark("init: exec")
        try ProcessSetup.exec(plan.process, preserveFDs: plan.preserveFDs)
    }
}

extension String {
    /// sysctl key to /proc/sys path: "net.ipv4.ip_forward" -> "net/ipv4/ip_forward".
    func replacingDots() -> String { String(map { $0 == "." ? "/" : $0 }) }
}
