/// Lifecycle errors. Where engines match on runc's wording, the text is runc's.
public enum RuntimeError: Error, CustomStringConvertible, Equatable {
    case notExist(id: String)
    case alreadyExists(id: String)
    case invalidID(String)
    case notRunning
    case cannotDelete(id: String, status: String)
    case cannotStart(status: String)
    case invalidSignal(String)
    case config(String)
    case initFailed(String)
    case hook(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .notExist(let id): return "container \(id) does not exist"
        case .alreadyExists(let id): return "container with id \(id) already exists"
        case .invalidID(let id): return "invalid container id \(id.debugDescription): must match [\\w+-\\.]+"
        case .notRunning: return "container not running"
        case .cannotDelete(let id, let status):
            return "cannot delete container \(id) that is not stopped: \(status)"
        case .cannotStart(let status):
            switch status {
            case "stopped": return "cannot start a container that has stopped"
            case "running": return "cannot start an already running container"
            default: return "cannot start a container in the \(status) state"
            }
        case .invalidSignal(let s): return "unknown signal \(s.debugDescription)"
        case .config(let m): return "invalid configuration: \(m)"
        case .initFailed(let m): return m
        case .hook(let m): return m
        case .unsupported(let m): return m
        }
    }
}
