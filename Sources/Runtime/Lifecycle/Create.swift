#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import CWarmlane
import OCI
import LinuxSystem
import Cgroups
import Seccomp

public struct CreateOptions: Sendable, Equatable {
    public var bundle: String
    public var pidFile: String?
    public var consoleSocket: String?
    public var noPivot = false
    public var noNewKeyring = false
    public var preserveFDs = 0
    public init(bundle: String) { self.bundle = bundle }
}

/// The result of create: the init is blocked on the exec fifo.
public struct CreatedContainer: Sendable {
    public let id: String
    public let pid: Int32
    /// What was just saved, so `run` goes on without reading it back.
    let record: ContainerRecord
}

extension Runtime {
    /// Sets up the container and leaves its init waiting for `start`. On any failure
    /// nothing is left: the child is killed (its mounts die with its mount namespace)
    /// and the state directory is removed.
    public func create(id: String, options: CreateOptions) throws -> CreatedContainer {
        let bundle = FileSystem.absolute(options.bundle)
        return try create(id: id, options: options, loaded: try BundleLoader.load(bundle: bundle), consoleSocketFD: nil)
    }

    func create(id: String, options: CreateOptions, loaded: BundleConfig, consoleSocketFD: Int32?) throws -> CreatedContainer {
        let bundle = FileSystem.absolute(options.bundle)
        let spec = loaded.spec
        let config = try ValidatedConfig(spec: spec, bundle: bundle,
                                         hasConsole: options.consoleSocket != nil || consoleSocketFD != nil)
        Timeline.mark("config validated")
        try store.reserve(id)
        var resources = CreateResources()
        do {
            let layout = CgroupLayout.detect()
            let cgroups = CgroupSet.plan(cgroupsPath: spec.linux?.cgroupsPath, id: id, layout: layout)
            Timeline.mark("cgroups planned")
            resources.cgroups = cgroups
            // The kernel's cgroup-attach grace period runs while we set up (see AttachWarmup;
            // the CLI starts it before parsing, this covers library callers).
            AttachWarmup.start()
            defer { AttachWarmup.stop() }  // on failure paths
            let created = try spawnInit(id: id, bundle: bundle, config: config, configJSON: loaded.json, options: options,
                                        cgroupLayout: layout, cgroups: cgroups, consoleSocketFD: consoleSocketFD, resources: &resources)
            return created
        } catch {
            resources.abandon()
            try? store.remove(id)
            throw error
        }
    }

    private func spawnInit(id: String, bundle: String, config: ValidatedConfig, configJSON: [UInt8], options: CreateOptions,
                           cgroupLayout: CgroupLayout, cgroups: CgroupSet, consoleSocketFD: Int32?,
                           resources: inout CreateResources) throws -> CreatedContainer {
        let spec = config.spec
        let fifo = store.execFifo(id)
        try syscall("mkfifo", fifo) { mkfifo(fifo, 0o622) }
        try syscall("chmod", fifo) { chmod(fifo, 0o622) }
        let fifoFD = try syscall("open", fifo) { wl_open(fifo, WL_O_PATH | O_CLOEXEC, 0) }
        resources.fds.append(fifoFD)

        var consoleFD = consoleSocketFD
        if consoleFD == nil, let path = options.consoleSocket, spec.process?.terminal == true {
            consoleFD = try UnixSocket.connect(path: path)
            resources.fds.append(consoleFD!)
        }

        // Open every namespace path first, so a bad path fails before anything runs.
        var joins: [(NamespaceType, Int32)] = []
        var parentJoins: [(NamespaceType, Int32)] = []
        for ns in config.joinedNamespaces {
            let fd = try syscall("open namespace", ns.path) { wl_open(ns.path!, O_RDONLY | O_CLOEXEC, 0) }
            resources.fds.append(fd)
            // pid and time namespaces apply to children: the parent joins them before clone.
            if ns.type == .pid || ns.type == .time { parentJoins.append((ns.type, fd)) }
            else if ns.type == .user { joins.insert((ns.type, fd), at: 0) }
            else { joins.append((ns.type, fd)) }
        }

        let (parentSync, childSync) = try UnixSocket.pair()
        resources.fds.append(parentSync)
        resources.fds.append(childSync)

        let plan = InitPlan(
            id: id, bundle: bundle, rootfs: config.rootfs, spec: spec, process: spec.process!,
            syncFD: childSync, fifoFD: fifoFD, consoleSocketFD: consoleFD, noPivot: options.noPivot,
            noNewKeyring: options.noNewKeyring, preserveFDs: options.preserveFDs, joins: joins,
            newUserNamespace: config.newNamespaces.contains(.user),
            newCgroupNamespace: config.newNamespaces.contains(.cgroup),
            newTimeNamespace: config.newNamespaces.contains(.time),
            cgroupLayout: cgroupLayout, cgroups: cgroups,
            inUserNamespace: config.newNamespaces.contains(.user) || config.joinedNamespaces.contains { $0.type == .user })

        for (type, fd) in parentJoins {
            try syscall("setns", type.rawValue) { wl_setns(fd, 0) }
        }
        // Directories and limits come before the init enters its cgroups, so it never runs
        // inside a half-configured one (a device list being rewritten would refuse its
        // mknods). On cgroup v2 that is before clone: the init is born inside.
        func prepareCgroups() throws {
            try cgroups.create()
            try cgroups.apply(spec.linux?.resources)
            Timeline.mark("cgroup limits applied")
            if cgroups.isUnifiedOnly, !(spec.linux?.resources?.devices ?? []).isEmpty {
                // cgroup v2 enforces device rules only through an eBPF program, which this
                // runtime does not load: the container is limited to the nodes it is given.
                logger.warning("container \(id): linux.resources.devices is not enforced on cgroup v2 (no eBPF device filter)")
            }
        }
        if cgroups.isUnifiedOnly { try prepareCgroups() }
        let (pid, bornInCgroup) = try ChildClone.fork(flags: config.cloneFlags, into: cgroups)
        if pid == 0 {
            ContainerInit(plan: plan).run()
        }
        Timeline.mark("init cloned")
        resources.child = pid
        // The child holds its own copies; closing ours lets us see EOF if it dies.
        resources.closeAll(except: parentSync)

        logger.debug("container \(id): init cloned as pid \(pid)")
        if plan.newUserNamespace {
            try writeIDMaps(pid: pid, linux: spec.linux!)
            try UnixSocket.send(parentSync, SyncMessage.mapsWritten.encoded)
        }
        if !bornInCgroup {
            // The init prepares its mounts meanwhile; cgroup mounts wait for this. The mkdirs
            // queue behind the attach grace period; the init is busy meanwhile.
            if !cgroups.isUnifiedOnly { try prepareCgroups() }
            try cgroups.attach(pid: pid)
        }
        AttachWarmup.stop()
        Timeline.mark("init attached to cgroups")
        try UnixSocket.send(parentSync, SyncMessage.cgroupsJoined.encoded)
        logger.debug("container \(id): cgroups joined")

        // The init finishes its root and process on its own now; record the container
        // meanwhile, off the critical path (a failure below removes the state again). The
        // init's start time is fixed at clone.
        let record = ContainerRecord(
            id: id, initProcess: ProcessIdentity.of(pid: pid) ?? ProcessIdentity(pid: pid, startTime: 0),
            bundle: bundle, rootfs: config.rootfs, created: Clock.rfc3339Now(), owner: "", spec: spec,
            ownPidNamespace: config.newNamespaces.contains(.pid), cgroups: cgroups)
        try store.save(record, configJSON: configJSON)
        Timeline.mark("state saved")
        loop: while true {
            guard let text = try UnixSocket.receive(parentSync), let msg = SyncMessage(text) else {
                throw RuntimeError.initFailed("container init exited before it was ready")
            }
            switch msg {
            case .runCreateRuntimeHooks:
                let state = Container(record: record, store: store).state(status: .creating)
                try Hooks.run(.prestart, spec: spec, state: state)
                try Hooks.run(.createRuntime, spec: spec, state: state)
                try UnixSocket.send(parentSync, SyncMessage.hooksDone.encoded)
            case .seccompListener(let fd):
                let listener = try SeccompNotify.fetchListenerFD(pid: pid, fd: fd)
                defer { close(listener) }
                let state = Container(record: record, store: store).state(status: .creating)
                let seccomp = spec.linux!.seccomp!
                try SeccompNotify.send(listenerFD: listener, to: seccomp.listenerPath!,
                                       state: ContainerProcessState(pid: pid, metadata: seccomp.listenerMetadata, state: state))
                try UnixSocket.send(parentSync, SyncMessage.seccompHandedOver.encoded)
            case .ready:
                break loop
            case .error(let m):
                throw RuntimeError.initFailed(m)
            default:
                throw RuntimeError.initFailed("unexpected message from init: \(text)")
            }
        }
        Timeline.mark("init ready")
        close(parentSync)
        resources.fds.removeAll()
        if let pidFile = options.pidFile {
            try FileSystem.writeAtomically(FileSystem.absolute(pidFile), Array(String(pid).utf8), mode: 0o644)
        }
        resources.child = nil
        resources.cgroups = nil
        logger.debug("container \(id): created")
        return CreatedContainer(id: id, pid: pid, record: record)
    }

    private func writeIDMaps(pid: Int32, linux: Linux) throws {
        func text(_ maps: [IDMapping]?) -> String {
            (maps ?? []).map { "\($0.containerID) \($0.hostID) \($0.size)\n" }.joined()
        }
        try FileSystem.write("/proc/\(pid)/uid_map", text(linux.uidMappings), flags: O_WRONLY)
        try FileSystem.write("/proc/\(pid)/gid_map", text(linux.gidMappings), flags: O_WRONLY)
    }
}

/// What a failed create must undo.
struct CreateResources {
    var fds: [Int32] = []
    var child: Int32?
    var cgroups: CgroupSet?

    mutating func closeAll(except keep: Int32) {
        for fd in fds where fd != keep { close(fd) }
        fds = fds.filter { $0 == keep }
    }

    mutating func abandon() {
        for fd in fds { close(fd) }
        fds.removeAll()
        if let pid = child {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            child = nil
        }
        try? cgroups?.destroy()
        cgroups = nil
    }
}

/// fork/clone is only safe while the process has one thread (see DEVELOPERS notes:
/// a child of a multi-threaded Swift process can deadlock in the runtime's locks).
enum SingleThread {
    static func check() throws {
        let tasks = FileSystem.listDirectory("/proc/self/task").count
        if tasks > 1 {
            throw RuntimeError.unsupported("internal error: refusing to clone from a process with \(tasks) threads")
        }
    }
}

/// A bundle's config.json: decoded, and the bytes as read (the state directory keeps them).
struct BundleConfig {
    let spec: Spec
    let json: [UInt8]
}

enum BundleLoader {
    static func load(bundle: String) throws -> BundleConfig {
        let path = bundle + "/config.json"
        guard FileSystem.isDirectory(bundle) else {
            throw RuntimeError.config("bundle \(bundle): no such directory")
        }
        let bytes: [UInt8]
        do { bytes = try FileSystem.read(path) } catch let e as SyscallError {
            throw RuntimeError.config("cannot read \(path): \(e.errno.description.lowercased())")
        }
        do {
            return BundleConfig(spec: try JSONDecoder().decode(Spec.self, from: Data(bytes)), json: bytes)
        } catch let e as DecodingError {
            throw RuntimeError.config("\(path): \(DecodingErrorText.describe(e))")
        }
    }
}

enum DecodingErrorText {
    static func describe(_ e: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            return p.isEmpty ? "" : " at \(p.hasPrefix(".") ? String(p.dropFirst()) : p)"
        }
        switch e {
        case .dataCorrupted(let c): return "malformed JSON\(path(c)): \(c.debugDescription)"
        case .keyNotFound(let k, let c): return "missing field \(k.stringValue.debugDescription)\(path(c))"
        case .typeMismatch(let t, let c): return "wrong type\(path(c)): expected \(t)"
        case .valueNotFound(let t, let c): return "missing value\(path(c)): expected \(t)"
        @unknown default: return "\(e)"
        }
    }
}
