/// The create handshake between the runtime (parent) and the container's init (child),
/// one SOCK_SEQPACKET message each.
enum SyncMessage: Equatable {
    /// parent -> child: user namespace maps are written (only with a new user namespace).
    case mapsWritten
    /// parent -> child: the child is in its cgroups. The child prepares its mounts
    /// meanwhile: moving a task into a v1 cgroup waits for an RCU grace period (~10 ms).
    case cgroupsJoined
    /// child -> parent: mounts are done; run prestart/createRuntime hooks now.
    case runCreateRuntimeHooks
    /// parent -> child: hooks done.
    case hooksDone
    /// child -> parent: a seccomp notify listener is open as this fd number in the init;
    /// the parent fetches it (pidfd_getfd) and hands it to the agent at listenerPath.
    case seccompListener(Int32)
    /// parent -> child: the listener is with the agent.
    case seccompHandedOver
    /// child -> parent: set up; about to block on the exec fifo.
    case ready
    /// child -> parent: setup failed; the message says why.
    case error(String)

    var encoded: String {
        switch self {
        case .mapsWritten: return "maps"
        case .cgroupsJoined: return "cgroups"
        case .runCreateRuntimeHooks: return "hooks"
        case .hooksDone: return "hooks-done"
        case .seccompListener(let fd): return "seccomp \(fd)"
        case .seccompHandedOver: return "seccomp-done"
        case .ready: return "ready"
        case .error(let m): return "error " + m
        }
    }

    init?(_ s: String) {
        switch s {
        case "maps": self = .mapsWritten
        case "cgroups": self = .cgroupsJoined
        case "hooks": self = .runCreateRuntimeHooks
        case "hooks-done": self = .hooksDone
        case "ready": self = .ready
        case "seccomp-done": self = .seccompHandedOver
        default:
            if s.hasPrefix("seccomp "), let fd = Int32(s.dropFirst(8)) { self = .seccompListener(fd); return }
            guard s.hasPrefix("error ") else { return nil }
            self = .error(String(s.dropFirst(6)))
        }
    }
}
