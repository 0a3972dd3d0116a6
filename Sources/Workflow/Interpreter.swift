// The ASL interpreter. One execution runs on the thread that calls `execute` (a host-owned
// lane); Tasks run their function on that same lane, or on a fresh lane when a deadline
// applies so the waiting lane can give up on it. Parallel branches and Map items fan out
// over lanes of the same process, bounded by the host's limit and by MaxConcurrency.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A state's data: raw payload bytes (handed over untouched) or a parsed JSON value.
/// Path processing parses lazily, so a chain of Tasks with default paths never parses.
public enum StateData: @unchecked Sendable {
    case payload(Payload)
    case json(JSON)

    public func json() throws -> JSON {
        switch self {
        case .json(let j): return j
        case .payload(let p):
            do { return try p.json() }
            catch { throw ExecutionError(.runtime, "a function returned output that is not JSON: \(error)") }
        }
    }

    /// As bytes in `arena` (no copy when already a payload).
    public func payload(in arena: Arena) -> Payload {
        switch self {
        case .payload(let p): return p
        case .json(let j): return arena.copy(j.bytes())
        }
    }

    /// Compact JSON bytes of the value.
    public func bytes() -> [UInt8] {
        switch self {
        case .payload(let p): return Array(p.bytes)
        case .json(let j): return j.bytes()
        }
    }
}

/// An ASL error: name (what ErrorEquals matches) and cause.
public struct ExecutionError: Error, CustomStringConvertible, Equatable {
    public let name: String
    public let cause: String
    /// Not matched by Retry/Catch: a deadline of an enclosing scope expired, or a sibling
    /// branch failed and this one was stopped.
    let terminal: Bool

    public init(_ name: String, _ cause: String, terminal: Bool = false) { self.name = name; self.cause = cause; self.terminal = terminal }
    init(_ name: Names, _ cause: String, terminal: Bool = false) { self.init(name.rawValue, cause, terminal: terminal) }

    public var description: String { cause.isEmpty ? name : "\(name): \(cause)" }
    public var json: JSON { .object(JSONObject([("Error", .string(name)), ("Cause", .string(cause))])) }

    public enum Names: String {
        case all = "States.ALL"
        case taskFailed = "States.TaskFailed"
        case timeout = "States.Timeout"
        case runtime = "States.Runtime"
        case noChoiceMatched = "States.NoChoiceMatched"
        case intrinsicFailure = "States.IntrinsicFailure"
        case resultPathMatchFailure = "States.ResultPathMatchFailure"
        case parameterPathFailure = "States.ParameterPathFailure"
        case cancelled = "States.Cancelled"
    }

    /// AWS matching: exact name; `States.ALL` matches every error but States.Runtime;
    /// `States.TaskFailed` matches every error but States.Timeout and States.Runtime.
    public static func matches(_ patterns: [String], _ name: String) -> Bool {
        for p in patterns {
            if p == name { return true }
            if p == Names.all.rawValue && name != Names.runtime.rawValue { return true }
            if p == Names.taskFailed.rawValue && name != Names.timeout.rawValue && name != Names.runtime.rawValue { return true }
        }
        return false
    }
}

/// Host limits.
public struct HostConfig: Sendable {
    /// Upper bound on lanes (threads) running functions, branches and items at once.
    public var maxLanes: Int
    /// Upper bound on the concurrency of one Parallel or Map state (MaxConcurrency may lower it).
    public var maxFanout: Int

    public init(maxLanes: Int = 64, maxFanout: Int? = nil) { self.maxLanes = maxLanes; self.maxFanout = maxFanout ?? maxLanes }

    /// From `WARMLANE_MAX_LANES` / `WARMLANE_MAX_FANOUT`.
    public static func fromEnvironment() -> HostConfig {
        func env(_ k: String) -> Int? { getenv(k).flatMap { Int(String(cString: $0)) }.flatMap { $0 > 0 ? $0 : nil } }
        return HostConfig(maxLanes: env("WARMLANE_MAX_LANES") ?? 64, maxFanout: env("WARMLANE_MAX_FANOUT"))
    }
}

/// Sleeps `seconds` unless cancelled first (returns false then). Tests inject a fake one.
public typealias Sleeper = @Sendable (_ seconds: Double, _ cancellation: CancellationFlag, _ deadline: UInt64?) -> Bool

public let realSleeper: Sleeper = { seconds, flag, deadline in
    var until = monotonicNanos() &+ UInt64(max(0, seconds) * 1e9)
    if let d = deadline, d < until { until = d }
    return flag.sleep(until: until)
}

public final class Interpreter: @unchecked Sendable {
    public let machine: StateMachine
    public let app: WorkflowApp
    public let lanes: LanePool
    public let config: HostConfig
    public var sleeper: Sleeper = realSleeper
    private let idLock = Monitor()
    private var counter: UInt64 = 0

    /// Loads and validates `definition` against the functions `app` registers.
    public convenience init(definition: String, app: WorkflowApp, config: HostConfig = .init(), lanes: LanePool? = nil) throws {
        let m = try StateMachine.load(definition, functions: Set(app.functions.keys))
        self.init(machine: m, app: app, config: config, lanes: lanes)
    }

    public init(machine: StateMachine, app: WorkflowApp, config: HostConfig = .init(), lanes: LanePool? = nil) {
        self.machine = machine; self.app = app; self.config = config
        self.lanes = lanes ?? LanePool(maxLanes: config.maxLanes)
    }

    func newExecutionID() -> String {
        let n = idLock.withLock { counter += 1; return counter }
        return "\(app.name)-\(getpid())-\(n)"
    }

    /// Runs one execution on the calling thread. Its payloads live in `arena` (a fresh one
    /// by default) for as long as the result is referenced.
    public func execute(_ input: StateData, arena: Arena = Arena(), executionID: String? = nil) -> Result<StateData, ExecutionError> {
        let id = executionID ?? newExecutionID()
        let exec = Execution(id: id, input: input, arena: arena, machineName: app.name)
        var scope = Scope(exec: exec, cancellation: CancellationFlag(), deadline: nil, deadlineIsOwn: false, mapItem: nil)
        if let t = machine.timeoutSeconds { scope.deadline = monotonicNanos() + UInt64(t * 1e9); scope.deadlineIsOwn = true }
        do {
            return .success(try run(machine, input, scope))
        } catch let e as ExecutionError {
            if e.name == ExecutionError.Names.timeout.rawValue && e.terminal { return .failure(ExecutionError(.timeout, e.cause)) }
            return .failure(e)
        } catch {
            return .failure(ExecutionError(.runtime, "\(error)"))
        }
    }

    /// Convenience: JSON in, JSON out.
    public func execute(json: JSON) -> Result<JSON, ExecutionError> {
        switch execute(.json(json)) {
        case .success(let v):
            do { return .success(try v.json()) } catch let e as ExecutionError { return .failure(e) } catch { return .failure(ExecutionError(.runtime, "\(error)")) }
        case .failure(let e): return .failure(e)
        }
    }

    // MARK: Machine loop

    final class Execution: @unchecked Sendable {
        let id: String
        let input: StateData
        let arena: Arena
        let machineName: String
        let startTime: String
        init(id: String, input: StateData, arena: Arena, machineName: String) {
            self.id = id; self.input = input; self.arena = arena; self.machineName = machineName
            var ts = timespec(); clock_gettime(CLOCK_REALTIME, &ts)
            startTime = formatTimestamp(Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9)
        }
    }

    struct Scope {
        let exec: Execution
        var cancellation: CancellationFlag
        var deadline: UInt64?
        /// Whether `deadline` belongs to the state being run (vs. an enclosing one).
        var deadlineIsOwn: Bool
        var mapItem: (Int, JSON)?
        var stateName = ""
        var enteredTime = ""

        func check() throws {
            if cancellation.isCancelled { throw ExecutionError(.cancelled, "stopped because a sibling failed", terminal: true) }
            if let d = deadline, monotonicNanos() >= d { throw ExecutionError(.timeout, "state timed out", terminal: true) }
        }

        func withDeadline(seconds: Double?) -> Scope {
            var s = self
            s.deadlineIsOwn = false
            if let seconds {
                let d = monotonicNanos() + UInt64(seconds * 1e9)
                if s.deadline == nil || d < s.deadline! { s.deadline = d; s.deadlineIsOwn = true }
            }
            return s
        }
    }

    func run(_ m: StateMachine, _ input: StateData, _ outer: Scope) throws -> StateData {
        var name = m.startAt
        var value = input
        var scope = outer
        scope.deadlineIsOwn = false
        while true {
            try scope.check()
            guard let state = m.states[name] else { throw ExecutionError(.runtime, "no state named '\(name)'") }
            scope.stateName = name
            scope.enteredTime = ""
            let (out, next) = try step(state, value, scope)
            value = out
            guard let next else { return value }
            name = next
        }
    }

    /// Runs one state with its Retry and Catch. Returns the output and the next state.
    func step(_ state: State, _ raw: StateData, _ scope: Scope) throws -> (StateData, String?) {
        var attempts = [Int](repeating: 0, count: state.retriers.count)
        while true {
            do {
                return try attempt(state, raw, scope)
            } catch var e as ExecutionError {
                if e.terminal {
                    // A deadline this state owns turns into an ordinary, catchable States.Timeout.
                    guard e.name == ExecutionError.Names.timeout.rawValue, let own = state.timeoutSeconds,
                          !scope.cancellation.isCancelled, scope.deadline.map({ monotonicNanos() < $0 }) ?? true else { throw e }
                    e = ExecutionError(.timeout, "State '\(state.name)' exceeded its TimeoutSeconds of \(formatNumber(own))")
                }
                if let ri = state.retriers.firstIndex(where: { ExecutionError.matches($0.errorEquals, e.name) }) {
                    let r = state.retriers[ri]
                    if attempts[ri] < r.maxAttempts {
                        var delay = r.intervalSeconds * pow(r.backoffRate, Double(attempts[ri]))
                        if let cap = r.maxDelaySeconds, delay > cap { delay = cap }
                        attempts[ri] += 1
                        guard sleeper(delay, scope.cancellation, scope.deadline) else { try scope.check(); throw e }
                        try scope.check()
                        continue
                    }
                }
                if let c = state.catchers.first(where: { ExecutionError.matches($0.errorEquals, e.name) }) {
                    return (try applyResultPath(c.resultPath, raw: raw, result: .json(e.json)), c.next)
                }
                throw e
            }
        }
    }

    func attempt(_ state: State, _ raw: StateData, _ outer: Scope) throws -> (StateData, String?) {
        switch state.kind {
        case .task(let fnName):
            let scope = outer.withDeadline(seconds: state.timeoutSeconds)
            let effective = try applyInputPath(state.inputPath, raw, scope)
            let params = try state.parameters.map { StateData.json(try evaluate($0, try effective.json(), scope, field: "Parameters")) } ?? effective
            let result = try invoke(fnName, params, state, scope)
            return (try finish(state, raw: raw, result: result, scope), state.next)

        case .pass(let result):
            let effective = try applyInputPath(state.inputPath, raw, outer)
            let params = try state.parameters.map { StateData.json(try evaluate($0, try effective.json(), outer, field: "Parameters")) } ?? effective
            let merged = try applyResultPath(state.resultPath, raw: raw, result: result.map { .json($0) } ?? params)
            return (try applyOutputPath(state.outputPath, merged, outer), state.next)

        case .choice(let rules, let defaultNext):
            let effective = try applyInputPath(state.inputPath, raw, outer)
            let input = try effective.json()
            var next: String? = nil
            for r in rules where try holds(r.condition, input, outer) { next = r.next; break }
            guard let target = next ?? defaultNext else {
                throw ExecutionError(.noChoiceMatched, "No Matches!")
            }
            return (try applyOutputPath(state.outputPath, effective, outer), target)

        case .wait(let spec):
            let effective = try applyInputPath(state.inputPath, raw, outer)
            var seconds: Double
            switch spec {
            case .seconds(let s): seconds = s
            case .timestamp(let t): seconds = t - wallClock()
            case .secondsPath(let p):
                guard let v = try resolve(p, try effective.json(), outer), let n = v.number, n >= 0 else {
                    throw ExecutionError(.runtime, "Invalid path '\(p)': SecondsPath must point to a non-negative number")
                }
                seconds = n
            case .timestampPath(let p):
                guard let v = try resolve(p, try effective.json(), outer), let s = v.string, let t = parseTimestamp(s) else {
                    throw ExecutionError(.runtime, "Invalid path '\(p)': TimestampPath must point to a timestamp")
                }
                seconds = t - wallClock()
            }
            if seconds > 0 {
                _ = sleeper(seconds, outer.cancellation, outer.deadline)
                try outer.check()
            }
            return (try applyOutputPath(state.outputPath, effective, outer), state.next)

        case .succeed:
            let effective = try applyInputPath(state.inputPath, raw, outer)
            return (try applyOutputPath(state.outputPath, effective, outer), nil)

        case .fail(let error, let cause, let errorPath, let causePath):
            var e = error ?? "", c = cause ?? ""
            if let p = errorPath { e = try resolve(p, try raw.json(), outer)?.string ?? e }
            if let p = causePath { c = try resolve(p, try raw.json(), outer)?.string ?? c }
            throw ExecutionError(e, c)

        case .parallel(let branches):
            let scope = outer.withDeadline(seconds: state.timeoutSeconds)
            let effective = try applyInputPath(state.inputPath, raw, scope)
            let input = try state.parameters.map { StateData.json(try evaluate($0, try effective.json(), scope, field: "Parameters")) } ?? effective
            let outputs = try fanOut(branches.count, limit: config.maxFanout, scope) { i, child in
                try self.run(branches[i], input, child)
            }
            return (try finish(state, raw: raw, result: .json(.array(outputs)), scope), state.next)

        case .map(let spec):
            let scope = outer.withDeadline(seconds: state.timeoutSeconds)
            let effective = try applyInputPath(state.inputPath, raw, scope)
            let effJSON = try effective.json()
            guard let found = try resolve(spec.itemsPath, effJSON, scope) else {
                throw ExecutionError(.runtime, "Invalid path '\(spec.itemsPath)': ItemsPath does not exist in the input")
            }
            guard let items = found.array else {
                throw ExecutionError(.runtime, "ItemsPath '\(spec.itemsPath)' must point to an array, found \(found.typeName)")
            }
            let limit = spec.maxConcurrency == 0 ? config.maxFanout : min(spec.maxConcurrency, config.maxFanout)
            let outputs = try fanOut(items.count, limit: limit, scope) { i, child in
                var itemScope = child
                itemScope.mapItem = (i, items[i])
                let itemInput: StateData = try spec.itemSelector.map { .json(try self.evaluate($0, effJSON, itemScope, field: "ItemSelector")) }
                    ?? .json(items[i])
                itemScope.mapItem = nil
                return try self.run(spec.iterator, itemInput, itemScope)
            }
            return (try finish(state, raw: raw, result: .json(.array(outputs)), scope), state.next)
        }
    }

    /// ResultSelector, ResultPath, OutputPath.
    func finish(_ state: State, raw: StateData, result: StateData, _ scope: Scope) throws -> StateData {
        let selected = try state.resultSelector.map { StateData.json(try evaluate($0, try result.json(), scope, field: "ResultSelector")) } ?? result
        let merged = try applyResultPath(state.resultPath, raw: raw, result: selected)
        return try applyOutputPath(state.outputPath, merged, scope)
    }

    // MARK: Functions and fan-out

    func invoke(_ name: String, _ input: StateData, _ state: State, _ scope: Scope) throws -> StateData {
        guard let fn = app.function(named: name) else { throw ExecutionError(.runtime, "unknown function '\(name)'") }
        let payload = input.payload(in: scope.exec.arena)
        let flag = CancellationFlag(parent: scope.cancellation)
        let ctx = FunctionContext(functionName: name, stateName: state.name, executionID: scope.exec.id,
                                  arena: scope.exec.arena, deadline: scope.deadline, cancellation: flag)
        func call() -> Result<Payload, ExecutionError> {
            do { return .success(try fn(payload, ctx)) }
            catch let e as FunctionError { return .failure(ExecutionError(e.name, e.cause)) }
            catch let e as ExecutionError { return .failure(ExecutionError(e.name, e.cause)) }
            catch { return .failure(ExecutionError(String(describing: type(of: error)), "\(error)")) }
        }
        let outcome: Result<Payload, ExecutionError>
        if let deadline = scope.deadline {
            // Run on another lane so this one can stop waiting at the deadline.
            let done = Completion<Result<Payload, ExecutionError>>()
            lanes.spawnAlways { done.fulfill(call()) }
            // A result that arrives after the deadline is a timeout too (the function may
            // have returned because it saw its own deadline pass).
            let r = done.wait(until: deadline)
            guard let r, monotonicNanos() < deadline else {
                flag.cancel()
                if scope.deadlineIsOwn {
                    throw ExecutionError(.timeout, "Task '\(state.name)' exceeded its TimeoutSeconds of \(formatNumber(state.timeoutSeconds ?? 0))")
                }
                throw ExecutionError(.timeout, "an enclosing state timed out", terminal: true)
            }
            outcome = r
        } else {
            outcome = call()  // this lane runs the function
        }
        switch outcome {
        case .success(let p): return .payload(p)
        case .failure(let e): throw e
        }
    }

    /// Runs `count` sub-executions concurrently on lanes and collects their outputs in
    /// order. The first failure cancels the rest and becomes the state's error.
    func fanOut(_ count: Int, limit: Int, _ scope: Scope, _ body: @escaping (Int, Scope) throws -> StateData) throws -> [JSON] {
        let results = FanOutResults(count)
        let flag = CancellationFlag(parent: scope.cancellation)
        var child = scope
        child.cancellation = flag
        child.deadlineIsOwn = false
        lanes.forEachConcurrently(count, limit: limit) { i in
            if flag.isCancelled { return }
            do {
                let out = try body(i, child)
                results.set(i, .success(try out.json()))
            } catch {
                let e = (error as? ExecutionError) ?? ExecutionError(.runtime, "\(error)")
                if results.fail(e) { flag.cancel() }
            }
        }
        if let e = results.firstError { throw e }
        try scope.check()
        return try results.values()
    }

    // MARK: Paths and templates

    func contextObject(_ scope: Scope) -> JSON {
        var ctx = JSONObject()
        ctx["Execution"] = .object(JSONObject([
            ("Id", .string(scope.exec.id)), ("Input", (try? scope.exec.input.json()) ?? .null),
            ("Name", .string(scope.exec.id)), ("StartTime", .string(scope.exec.startTime)),
        ]))
        ctx["State"] = .object(JSONObject([("Name", .string(scope.stateName)), ("EnteredTime", .string(scope.exec.startTime))]))
        ctx["StateMachine"] = .object(JSONObject([("Id", .string(scope.exec.machineName)), ("Name", .string(scope.exec.machineName))]))
        if let (i, v) = scope.mapItem {
            ctx["Map"] = .object(JSONObject([("Item", .object(JSONObject([("Index", .int(Int64(i))), ("Value", v)])))]))
        }
        return .object(ctx)
    }

    func resolve(_ p: JSONPath, _ input: JSON, _ scope: Scope) throws -> JSON? {
        p.isContext ? p.evaluate(contextObject(scope)) : p.evaluate(input)
    }

    func applyInputPath(_ p: OptionalPath, _ v: StateData, _ scope: Scope) throws -> StateData {
        switch p {
        case .discard: return .json(.object(JSONObject()))
        case .path(let path):
            if path.components.isEmpty && !path.isContext { return v }
            guard let r = try resolve(path, try v.json(), scope) else {
                throw ExecutionError(.runtime, "Invalid path '\(path)' : No results for path: \(path)")
            }
            return .json(r)
        }
    }

    func applyOutputPath(_ p: OptionalPath, _ v: StateData, _ scope: Scope) throws -> StateData {
        try applyInputPath(p, v, scope)
    }

    func applyResultPath(_ p: OptionalPath, raw: StateData, result: StateData) throws -> StateData {
        switch p {
        case .discard: return raw
        case .path(let path):
            if path.components.isEmpty { return result }
            do { return .json(try path.assign(try result.json(), into: try raw.json())) }
            catch let e as ResultPathMismatch {
                throw ExecutionError(.resultPathMatchFailure, "Unable to apply ResultPath '\(path)': \(e)")
            }
        }
    }

    func evaluate(_ t: Template, _ input: JSON, _ scope: Scope, field: String) throws -> JSON {
        switch t {
        case .literal(let j): return j
        case .array(let a): return .array(try a.map { try evaluate($0, input, scope, field: field) })
        case .object(let fields):
            var o = JSONObject()
            for (k, sub) in fields {
                switch sub {
                case .path(let p):
                    guard let v = try resolve(p, input, scope) else {
                        throw ExecutionError(.runtime, "The JSONPath '\(p)' specified for the field '\(k).$' could not be found in the input '\(input.serialized())'")
                    }
                    o[k] = v
                default:
                    o[k] = try evaluate(sub, input, scope, field: field)
                }
            }
            return .object(o)
        case .path(let p):
            guard let v = try resolve(p, input, scope) else { throw ExecutionError(.runtime, "The JSONPath '\(p)' could not be found in the input") }
            return v
        case .intrinsic(let f):
            return try f.evaluate { p in
                guard let v = try self.resolve(p, input, scope) else {
                    throw ExecutionError(.runtime, "The JSONPath '\(p)' in \(f.name) could not be found in the input")
                }
                return v
            }
        }
    }

    // MARK: Choice rules

    func holds(_ c: Condition, _ input: JSON, _ scope: Scope) throws -> Bool {
        switch c {
        case .and(let cs): for x in cs where try !holds(x, input, scope) { return false }; return true
        case .or(let cs): for x in cs where try holds(x, input, scope) { return true }; return false
        case .not(let x): return try !holds(x, input, scope)
        case .compare(let variable, let op, let operand):
            let v = try resolve(variable, input, scope)
            if op == "IsPresent" { guard case .value(let b) = operand else { return false }; return (v != nil) == (b.bool ?? false) }
            guard let v else {
                throw ExecutionError(.runtime, "Invalid path '\(variable)': The choice state's condition path references an invalid value.")
            }
            let rhs: JSON
            switch operand {
            case .value(let x): rhs = x
            case .path(let p):
                guard let x = try resolve(p, input, scope) else {
                    throw ExecutionError(.runtime, "Invalid path '\(p)': The choice state's condition path references an invalid value.")
                }
                rhs = x
            }
            return compare(v, op.hasSuffix("Path") ? String(op.dropLast(4)) : op, rhs)
        }
    }

    func compare(_ v: JSON, _ op: String, _ rhs: JSON) -> Bool {
        switch op {
        case "IsNull": return v.isNull == rhs.bool
        case "IsNumeric": return v.isNumber == rhs.bool
        case "IsString": return (v.string != nil) == rhs.bool
        case "IsBoolean": return (v.bool != nil) == rhs.bool
        case "IsTimestamp": return (v.string.flatMap(parseTimestamp) != nil) == rhs.bool
        case "BooleanEquals":
            guard let a = v.bool, let b = rhs.bool else { return false }
            return a == b
        case "StringMatches":
            guard let a = v.string, let pat = rhs.string else { return false }
            return wildcardMatch(Array(a.unicodeScalars), Array(pat.unicodeScalars))
        default: break
        }
        let base: String, cmp: String
        if op.hasPrefix("String") { base = "String"; cmp = String(op.dropFirst(6)) }
        else if op.hasPrefix("Numeric") { base = "Numeric"; cmp = String(op.dropFirst(7)) }
        else if op.hasPrefix("Timestamp") { base = "Timestamp"; cmp = String(op.dropFirst(9)) }
        else { return false }
        let order: Int  // -1, 0, 1
        switch base {
        case "String":
            guard let a = v.string, let b = rhs.string else { return false }
            order = compareScalars(a, b)
        case "Numeric":
            if case .int(let a) = v, case .int(let b) = rhs { order = a < b ? -1 : (a == b ? 0 : 1) }
            else {
                guard let a = v.number, let b = rhs.number else { return false }
                order = a < b ? -1 : (a == b ? 0 : 1)
            }
        default:
            guard let a = v.string.flatMap(parseTimestamp), let b = rhs.string.flatMap(parseTimestamp) else { return false }
            order = a < b ? -1 : (a == b ? 0 : 1)
        }
        switch cmp {
        case "Equals": return order == 0
        case "LessThan": return order < 0
        case "GreaterThan": return order > 0
        case "LessThanEquals": return order <= 0
        case "GreaterThanEquals": return order >= 0
        default: return false
        }
    }
}

final class FanOutResults: @unchecked Sendable {
    private let m = Monitor()
    private var slots: [Result<JSON, ExecutionError>?]
    private(set) var firstError: ExecutionError?
    init(_ n: Int) { slots = Array(repeating: nil, count: n) }
    func set(_ i: Int, _ r: Result<JSON, ExecutionError>) { m.withLock { slots[i] = r } }
    /// Records a failure; true for the first non-terminal one (that one cancels siblings).
    func fail(_ e: ExecutionError) -> Bool {
        m.withLock {
            if firstError == nil || (firstError!.terminal && !e.terminal) {
                let first = firstError == nil
                firstError = e
                return first
            }
            return false
        }
    }
    func values() throws -> [JSON] {
        try m.withLock {
            try slots.map { slot in
                guard case .success(let v)? = slot else { throw ExecutionError(.runtime, "a branch did not finish") }
                return v
            }
        }
    }
}

/// `*` matches any run of characters; `\*` a literal star, `\\` a backslash.
func wildcardMatch(_ s: [Unicode.Scalar], _ p: [Unicode.Scalar]) -> Bool {
    // Tokenise the pattern: nil = wildcard.
    var toks: [Unicode.Scalar?] = []
    var i = 0
    while i < p.count {
        if p[i] == "\\" && i + 1 < p.count { toks.append(p[i + 1]); i += 2; continue }
        toks.append(p[i] == "*" ? nil : p[i]); i += 1
    }
    var si = 0, ti = 0, starT = -1, starS = 0
    while si < s.count {
        if ti < toks.count, let c = toks[ti], c == s[si] { si += 1; ti += 1 }
        else if ti < toks.count, toks[ti] == nil { starT = ti; starS = si; ti += 1 }
        else if starT >= 0 { ti = starT + 1; starS += 1; si = starS }
        else { return false }
    }
    while ti < toks.count, toks[ti] == nil { ti += 1 }
    return ti == toks.count
}

func compareScalars(_ a: String, _ b: String) -> Int {
    var ia = a.unicodeScalars.makeIterator(), ib = b.unicodeScalars.makeIterator()
    while true {
        switch (ia.next(), ib.next()) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case (let x?, let y?): if x != y { return x.value < y.value ? -1 : 1 }
        }
    }
}

func wallClock() -> Double {
    var ts = timespec(); clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func formatNumber(_ d: Double) -> String { d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d) }

/// RFC 3339 UTC with milliseconds.
func formatTimestamp(_ t: Double) -> String {
    let secs = Int(t.rounded(.down)), ms = Int((t - Double(secs)) * 1000)
    let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
    let rem = secs - days * 86400
    let z = days + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
    func p(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
    return "\(p(y, 4))-\(p(m, 2))-\(p(d, 2))T\(p(rem / 3600, 2)):\(p(rem / 60 % 60, 2)):\(p(rem % 60, 2)).\(p(ms, 3))Z"
}
