import Testing
@testable import Workflow
#if canImport(Glibc)
import Glibc
#endif

/// Runs a definition against an input with `app` (default: no functions).
func run(_ definition: String, _ input: JSON, app: WorkflowApp = WorkflowApp(name: "test"),
         sleeper: Sleeper? = nil, config: HostConfig = .init(maxLanes: 16)) throws -> Result<JSON, ExecutionError> {
    let interp = try Interpreter(definition: definition, app: app, config: config)
    if let sleeper { interp.sleeper = sleeper }
    return interp.execute(json: input)
}

func output(_ definition: String, _ input: JSON, app: WorkflowApp = WorkflowApp(name: "test")) throws -> JSON {
    try run(definition, input, app: app).get()
}

func failure(_ definition: String, _ input: JSON, app: WorkflowApp = WorkflowApp(name: "test")) throws -> ExecutionError? {
    if case .failure(let e) = try run(definition, input, app: app) { return e }
    return nil
}

/// A one-state machine around `state` (a JSON object text without End).
func single(_ state: String) -> String {
    """
    {"StartAt": "S", "States": {"S": \(state.dropLast()), "End": true}}}
    """
}

func j(_ s: String) -> JSON { try! JSON.parse(s) }

/// Thread-safe recorder for test functions.
final class Recorder<T>: @unchecked Sendable {
    private let m = Monitor()
    private var items: [T] = []
    func add(_ x: T) { m.withLock { items.append(x) } }
    var all: [T] { m.withLock { items } }
}

/// Counts how many callers are inside at once and the peak.
final class PeakCounter: @unchecked Sendable {
    private let m = Monitor()
    private var inside = 0
    private var _peak = 0
    func enter() { m.withLock { inside += 1; _peak = max(_peak, inside) } }
    func leave() { m.withLock { inside -= 1 } }
    var peak: Int { m.withLock { _peak } }
    func reset() { m.withLock { _peak = 0 } }
}
