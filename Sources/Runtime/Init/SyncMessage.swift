/// The create handshake between the runtime (parent) and the container's init (child),
/// one SOCK_SEQPACKET message each.
enum SyncMessage: Equatable {
    /// parent -> child: cgroups joined and user namespace maps written; go on.
    case parentSetupDone
    /// child -> parent: mounts are done; run prestart/createRuntime hooks now.
    case runCreateRuntimeHooks
    /// parent -> child: hooks done.
    case hooksDone
    /// child -> parent: set up; about to block on the exec fifo.
    case ready
    /// child -> parent: setup failed; the message says why.
    case error(String)

    var encoded: String {
        switch self {
        case .parentSetupDone: return "setup-done"
        case .runCreateRuntimeHooks: return "hooks"
        case .hooksDone: return "hooks-done"
        case .ready: return "ready"
        case .error(let m): return "error " + m
        }
    }

    init?(_ s: String) {
        switch s {
        case "setup-done": self = .parentSetupDone
        case "hooks": self = .runCreateRuntimeHooks
        case "hooks-done": self = .hooksDone
        case "ready": self = .ready
        default:
            guard s.hasPrefix("error ") else { return nil }
            self = .error(String(s.dropFirst(6)))
        }
    }
}
