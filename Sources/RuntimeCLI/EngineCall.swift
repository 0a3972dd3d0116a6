import Runtime
import LinuxSystem

/// The verbs engines call on every container (create, start, run, state, kill, delete,
/// pause, resume, exec) as plain values. ArgumentParser's commands and `EngineFastPath` both produce one, so the
/// two parsers share a single way of running them, and tests can compare their results.
enum EngineCall: Equatable {
    case create(id: String, CreateOptions)
    case run(id: String, RunOptions)
    case start(id: String)
    case state(id: String)
    case kill(id: String, signal: String, all: Bool)
    case delete(id: String, force: Bool)
    case pause(id: String)
    case resume(id: String)
    case exec(id: String, ExecFlags)

    var verb: String {
        switch self {
        case .create: "create"
        case .run: "run"
        case .start: "start"
        case .state: "state"
        case .kill: "kill"
        case .delete: "delete"
        case .pause: "pause"
        case .resume: "resume"
        case .exec: "exec"
        }
    }

    func execute(_ runtime: Runtime) throws -> Int32 {
        switch self {
        case .create(let id, let options):
            _ = try runtime.create(id: id, options: options)
            return 0
        case .run(let id, let options):
            return try runtime.run(id: id, options: options)
        case .start(let id):
            try runtime.start(id: id)
            return 0
        case .state(let id):
            printOut(try JSON.pretty(runtime.state(id: id)))
            return 0
        case .kill(let id, let signal, let all):
            guard let sig = Signal.parse(signal) else { throw RuntimeError.invalidSignal(signal) }
            try runtime.kill(id: id, signal: sig, all: all)
            return 0
        case .delete(let id, let force):
            try runtime.delete(id: id, force: force)
            return 0
        case .pause(let id):
            try runtime.pause(id: id)
            return 0
        case .resume(let id):
            try runtime.resume(id: id)
            return 0
        case .exec(let id, let flags):
            return try flags.execute(runtime, id: id)
        }
    }
}
