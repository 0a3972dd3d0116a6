// The Amazon States Language model: parsed once, validated on load, then run many times.

/// A state machine (the top level, a Parallel branch or a Map iterator).
public final class StateMachine: @unchecked Sendable {
    public let startAt: String
    public let states: [String: State]
    /// State names in definition order.
    public let stateNames: [String]
    public let timeoutSeconds: Double?
    public let comment: String?

    init(startAt: String, states: [String: State], stateNames: [String], timeoutSeconds: Double?, comment: String?) {
        self.startAt = startAt; self.states = states; self.stateNames = stateNames
        self.timeoutSeconds = timeoutSeconds; self.comment = comment
    }

    /// Every Task resource named anywhere in the machine, nested branches included.
    public var taskResources: Set<String> {
        var out = Set<String>()
        for s in states.values {
            switch s.kind {
            case .task(let r): out.insert(r)
            case .parallel(let bs): for b in bs { out.formUnion(b.taskResources) }
            case .map(let m): out.formUnion(m.iterator.taskResources)
            default: break
            }
        }
        return out
    }
}

/// A path field that may be absent (defaults to `$`) or JSON null (discard).
public enum OptionalPath: Sendable {
    case path(JSONPath)
    case discard
    static let root = OptionalPath.path(try! JSONPath("$"))
}

public final class State: @unchecked Sendable {
    public enum Kind {
        case task(resource: String)
        case pass(result: JSON?)
        case choice(rules: [ChoiceRule], defaultNext: String?)
        case parallel(branches: [StateMachine])
        case map(MapSpec)
        case wait(WaitSpec)
        case succeed
        case fail(error: String?, cause: String?, errorPath: JSONPath?, causePath: JSONPath?)
    }
    public struct MapSpec {
        public let iterator: StateMachine
        public let itemsPath: JSONPath
        public let itemSelector: Template?
        public let maxConcurrency: Int
    }
    public enum WaitSpec {
        case seconds(Double)
        case secondsPath(JSONPath)
        case timestamp(Double)
        case timestampPath(JSONPath)
    }

    public let name: String
    public let type: String
    public let kind: Kind
    public let next: String?
    public let end: Bool
    public let inputPath: OptionalPath
    public let outputPath: OptionalPath
    public let resultPath: OptionalPath
    public let parameters: Template?
    public let resultSelector: Template?
    public let retriers: [Retrier]
    public let catchers: [Catcher]
    public let timeoutSeconds: Double?

    init(name: String, type: String, kind: Kind, next: String?, end: Bool, inputPath: OptionalPath,
         outputPath: OptionalPath, resultPath: OptionalPath, parameters: Template?, resultSelector: Template?,
         retriers: [Retrier], catchers: [Catcher], timeoutSeconds: Double?) {
        self.name = name; self.type = type; self.kind = kind; self.next = next; self.end = end
        self.inputPath = inputPath; self.outputPath = outputPath; self.resultPath = resultPath
        self.parameters = parameters; self.resultSelector = resultSelector
        self.retriers = retriers; self.catchers = catchers; self.timeoutSeconds = timeoutSeconds
    }
}

public struct Retrier: Sendable {
    public let errorEquals: [String]
    public let intervalSeconds: Double
    public let maxAttempts: Int
    public let backoffRate: Double
    public let maxDelaySeconds: Double?
}

public struct Catcher: Sendable {
    public let errorEquals: [String]
    public let next: String
    public let resultPath: OptionalPath
}

public struct ChoiceRule {
    public let condition: Condition
    public let next: String
}

public indirect enum Condition {
    case and([Condition])
    case or([Condition])
    case not(Condition)
    case compare(variable: JSONPath, op: String, operand: Operand)

    public enum Operand { case value(JSON), path(JSONPath) }
}

/// A payload template (Parameters, ResultSelector, ItemSelector): `"key.$"` fields take a
/// path's value or an intrinsic function's result.
public indirect enum Template {
    case literal(JSON)
    case path(JSONPath)
    case intrinsic(Intrinsic)
    case object([(String, Template)])
    case array([Template])
}

/// Raised when a definition does not load.
public struct DefinitionError: Error, CustomStringConvertible {
    public let problems: [String]
    public var description: String { "invalid workflow definition: " + problems.joined(separator: "; ") }
}

public enum ComparisonOperators {
    static let valued: Set<String> = [
        "StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals", "StringGreaterThanEquals", "StringMatches",
        "NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals", "NumericGreaterThanEquals",
        "BooleanEquals",
        "TimestampEquals", "TimestampLessThan", "TimestampGreaterThan", "TimestampLessThanEquals", "TimestampGreaterThanEquals",
        "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp",
    ]
    static let pathed: Set<String> = Set(valued.filter { !$0.hasPrefix("Is") && $0 != "StringMatches" }.map { $0 + "Path" })
    public static var all: Set<String> { valued.union(pathed) }
}

// MARK: - Loading

extension StateMachine {
    /// Parses and validates a definition. `functions`: the names a Task may use (nil: any).
    public static func load(_ text: String, functions: Set<String>?) throws -> StateMachine {
        let json: JSON
        do { json = try JSON.parse(text) } catch { throw DefinitionError(problems: ["\(error)"]) }
        return try load(json, functions: functions)
    }

    public static func load(_ json: JSON, functions: Set<String>?) throws -> StateMachine {
        var loader = Loader(functions: functions)
        let m = loader.machine(json, at: "")
        if !loader.problems.isEmpty { throw DefinitionError(problems: loader.problems) }
        return m!
    }
}

/// Task resources may be plain names or Lambda ARNs (`arn:aws:lambda:…:function:NAME`).
public func functionName(forResource r: String) -> String {
    if r.hasPrefix("arn:") {
        let parts = r.split(separator: ":", omittingEmptySubsequences: false)
        if let i = parts.firstIndex(of: "function"), i + 1 < parts.count { return String(parts[i + 1]) }
    }
    return r
}

struct Loader {
    let functions: Set<String>?
    var problems: [String] = []

    mutating func problem(_ where_: String, _ what: String) { problems.append(where_.isEmpty ? what : "\(where_): \(what)") }

    mutating func machine(_ json: JSON, at loc: String) -> StateMachine? {
        guard let o = json.object else { problem(loc, "a state machine must be an object"); return nil }
        guard let start = o["StartAt"]?.string else { problem(loc, "missing StartAt"); return nil }
        guard let statesObj = o["States"]?.object, !statesObj.isEmpty else { problem(loc, "missing States"); return nil }
        var states: [String: State] = [:]
        for (name, sj) in statesObj {
            if let s = state(name, sj, at: loc.isEmpty ? "state '\(name)'" : "\(loc) > state '\(name)'") { states[name] = s }
        }
        let names = statesObj.keys
        let here = loc.isEmpty ? "StartAt" : "\(loc) StartAt"
        if statesObj[start] == nil { problem(here, "unknown state '\(start)'") }
        // Transitions must name existing states.
        for name in names {
            guard let s = states[name] else { continue }
            let sl = loc.isEmpty ? "state '\(name)'" : "\(loc) > state '\(name)'"
            for t in transitions(of: s) where statesObj[t] == nil { problem(sl, "transition to unknown state '\(t)'") }
        }
        // Every state must be reachable from StartAt.
        var seen: Set<String> = []
        var stack = [start]
        while let n = stack.popLast() {
            guard !seen.contains(n), let s = states[n] else { continue }
            seen.insert(n)
            stack.append(contentsOf: transitions(of: s))
        }
        for name in names where !seen.contains(name) && states[name] != nil {
            problem(loc.isEmpty ? "state '\(name)'" : "\(loc) > state '\(name)'", "unreachable from StartAt '\(start)'")
        }
        var timeout: Double? = nil
        if let t = o["TimeoutSeconds"] {
            if let v = t.number, v > 0 { timeout = v } else { problem(loc, "TimeoutSeconds must be a positive number") }
        }
        return StateMachine(startAt: start, states: states, stateNames: names, timeoutSeconds: timeout, comment: o["Comment"]?.string)
    }

    func transitions(of s: State) -> [String] {
        var t: [String] = []
        if let n = s.next { t.append(n) }
        if case .choice(let rules, let d) = s.kind { t.append(contentsOf: rules.map(\.next)); if let d { t.append(d) } }
        t.append(contentsOf: s.catchers.map(\.next))
        return t
    }

    static let allowedFields: [String: Set<String>] = {
        let common: Set<String> = ["Type", "Comment"]
        let flow: Set<String> = ["Next", "End"]
        let io: Set<String> = ["InputPath", "OutputPath"]
        return [
            "Task": common.union(flow).union(io).union(["Resource", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch",
                                                         "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials"]),
            "Pass": common.union(flow).union(io).union(["Parameters", "Result", "ResultPath"]),
            "Choice": common.union(io).union(["Choices", "Default"]),
            "Parallel": common.union(flow).union(io).union(["Branches", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch", "TimeoutSeconds"]),
            "Map": common.union(flow).union(io).union(["Iterator", "ItemProcessor", "ItemsPath", "ItemSelector", "Parameters", "MaxConcurrency",
                                                        "ResultSelector", "ResultPath", "Retry", "Catch", "TimeoutSeconds"]),
            "Wait": common.union(flow).union(io).union(["Seconds", "SecondsPath", "Timestamp", "TimestampPath"]),
            "Succeed": common.union(io),
            "Fail": common.union(["Error", "Cause", "ErrorPath", "CausePath"]),
        ]
    }()

    mutating func state(_ name: String, _ json: JSON, at loc: String) -> State? {
        guard let o = json.object else { problem(loc, "a state must be an object"); return nil }
        guard let type = o["Type"]?.string else { problem(loc, "missing Type"); return nil }
        guard let allowed = Loader.allowedFields[type] else { problem(loc, "unknown state type '\(type)'"); return nil }
        for k in o.keys where !allowed.contains(k) { problem(loc, "field '\(k)' is not allowed in a \(type) state") }

        var next: String? = nil
        var end = false
        if allowed.contains("Next") {
            if let n = o["Next"] { if let s = n.string { next = s } else { problem(loc, "Next must be a string") } }
            if let e = o["End"] { if let b = e.bool { end = b } else { problem(loc, "End must be a boolean") } }
            if next == nil && !end { problem(loc, "missing Next or End") }
            if next != nil && end { problem(loc, "has both Next and End") }
        } else if type != "Choice" {
            end = true
        }
        func optPath(_ key: String) -> OptionalPath {
            guard let v = o[key] else { return .root }
            if v.isNull { return .discard }
            guard let s = v.string else { problem(loc, "\(key) must be a string or null"); return .root }
            do {
                let p = try JSONPath(s)
                if key == "ResultPath" && (!p.isDefinite || p.isContext) { problem(loc, "ResultPath '\(s)' must be a reference path") }
                return .path(p)
            } catch { problem(loc, "\(key): \(error)"); return .root }
        }
        let inputPath = optPath("InputPath"), outputPath = optPath("OutputPath"), resultPath = optPath("ResultPath")
        let parameters = o["Parameters"].flatMap { template($0, at: "\(loc) Parameters") }
        let resultSelector = o["ResultSelector"].flatMap { template($0, at: "\(loc) ResultSelector") }
        let retriers = o["Retry"].map { retry($0, at: loc) } ?? []
        let catchers = o["Catch"].map { catches($0, at: loc) } ?? []
        var timeout: Double? = nil
        if let t = o["TimeoutSeconds"] {
            if let v = t.number, v > 0 { timeout = v } else { problem(loc, "TimeoutSeconds must be a positive number") }
        }

        let kind: State.Kind
        switch type {
        case "Task":
            guard let r = o["Resource"]?.string else { problem(loc, "missing Resource"); return nil }
            let fn = functionName(forResource: r)
            if let functions, !functions.contains(fn) {
                problem(loc, "unknown function '\(fn)' (this app registers: \(functions.sorted().joined(separator: ", ")))")
            }
            kind = .task(resource: fn)
        case "Pass":
            kind = .pass(result: o["Result"])
        case "Choice":
            guard let arr = o["Choices"]?.array, !arr.isEmpty else { problem(loc, "Choices must be a non-empty array"); return nil }
            var rules: [ChoiceRule] = []
            for (i, c) in arr.enumerated() {
                let cl = "\(loc) Choices[\(i)]"
                guard let n = c["Next"]?.string else { problem(cl, "missing Next"); continue }
                if let cond = condition(c, at: cl, top: true) { rules.append(ChoiceRule(condition: cond, next: n)) }
            }
            var def: String? = nil
            if let d = o["Default"] { if let s = d.string { def = s } else { problem(loc, "Default must be a string") } }
            kind = .choice(rules: rules, defaultNext: def)
        case "Parallel":
            guard let arr = o["Branches"]?.array, !arr.isEmpty else { problem(loc, "Branches must be a non-empty array"); return nil }
            var branches: [StateMachine] = []
            for (i, b) in arr.enumerated() { if let m = machine(b, at: "\(loc) Branches[\(i)]") { branches.append(m) } }
            kind = .parallel(branches: branches)
        case "Map":
            guard let it = o["ItemProcessor"] ?? o["Iterator"] else { problem(loc, "missing ItemProcessor (or Iterator)"); return nil }
            guard let iterator = machine(it, at: "\(loc) ItemProcessor") else { return nil }
            var itemsPath = try! JSONPath("$")
            if let ip = o["ItemsPath"] {
                if let s = ip.string, let p = try? JSONPath(s), p.isDefinite { itemsPath = p }
                else { problem(loc, "ItemsPath must be a reference path") }
            }
            let sel = (o["ItemSelector"] ?? o["Parameters"]).flatMap { template($0, at: "\(loc) ItemSelector") }
            var mc = 0
            if let v = o["MaxConcurrency"] {
                if case .int(let i) = v, i >= 0 { mc = Int(i) } else { problem(loc, "MaxConcurrency must be a non-negative integer") }
            }
            kind = .map(State.MapSpec(iterator: iterator, itemsPath: itemsPath, itemSelector: sel, maxConcurrency: mc))
            let fixedParameters: Template? = nil
            return State(name: name, type: type, kind: kind, next: next, end: end, inputPath: inputPath, outputPath: outputPath,
                         resultPath: resultPath, parameters: fixedParameters, resultSelector: resultSelector,
                         retriers: retriers, catchers: catchers, timeoutSeconds: timeout)
        case "Wait":
            let keys = ["Seconds", "SecondsPath", "Timestamp", "TimestampPath"].filter { o[$0] != nil }
            guard keys.count == 1 else { problem(loc, "a Wait state needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath"); return nil }
            switch keys[0] {
            case "Seconds":
                guard let v = o["Seconds"]?.number, v >= 0 else { problem(loc, "Seconds must be a non-negative number"); return nil }
                kind = .wait(.seconds(v))
            case "Timestamp":
                guard let s = o["Timestamp"]?.string, let t = parseTimestamp(s) else { problem(loc, "Timestamp must be an RFC 3339 timestamp"); return nil }
                kind = .wait(.timestamp(t))
            default:
                guard let s = o[keys[0]]?.string, let p = try? JSONPath(s) else { problem(loc, "\(keys[0]) must be a path"); return nil }
                kind = .wait(keys[0] == "SecondsPath" ? .secondsPath(p) : .timestampPath(p))
            }
        case "Succeed":
            kind = .succeed
        default:  // Fail
            func p(_ k: String) -> JSONPath? {
                guard let s = o[k]?.string else { return nil }
                do { return try JSONPath(s) } catch { problem(loc, "\(k): \(error)"); return nil }
            }
            kind = .fail(error: o["Error"]?.string, cause: o["Cause"]?.string, errorPath: p("ErrorPath"), causePath: p("CausePath"))
        }
        return State(name: name, type: type, kind: kind, next: next, end: end, inputPath: inputPath, outputPath: outputPath,
                     resultPath: resultPath, parameters: parameters, resultSelector: resultSelector,
                     retriers: retriers, catchers: catchers, timeoutSeconds: timeout)
    }

    mutating func errorEquals(_ j: JSON?, at loc: String) -> [String] {
        guard let arr = j?.array, !arr.isEmpty else { problem(loc, "ErrorEquals must be a non-empty array of strings"); return [] }
        let names = arr.compactMap(\.string)
        if names.count != arr.count { problem(loc, "ErrorEquals must hold strings") }
        if names.contains("States.ALL") && names.count > 1 { problem(loc, "States.ALL must appear alone in ErrorEquals") }
        return names
    }

    mutating func retry(_ j: JSON, at loc: String) -> [Retrier] {
        guard let arr = j.array else { problem(loc, "Retry must be an array"); return [] }
        var out: [Retrier] = []
        for (i, r) in arr.enumerated() {
            let rl = "\(loc) Retry[\(i)]"
            let errs = errorEquals(r["ErrorEquals"], at: rl)
            if errs == ["States.ALL"] && i != arr.count - 1 { problem(rl, "a States.ALL retrier must be the last one") }
            let interval = r["IntervalSeconds"]?.number ?? 1
            let attempts = r["MaxAttempts"]?.number ?? 3
            let backoff = r["BackoffRate"]?.number ?? 2
            if interval < 1 || interval.rounded() != interval { problem(rl, "IntervalSeconds must be a positive integer") }
            if attempts < 0 || attempts.rounded() != attempts { problem(rl, "MaxAttempts must be a non-negative integer") }
            if backoff < 1 { problem(rl, "BackoffRate must be >= 1.0") }
            out.append(Retrier(errorEquals: errs, intervalSeconds: interval, maxAttempts: Int(attempts), backoffRate: backoff,
                               maxDelaySeconds: r["MaxDelaySeconds"]?.number))
        }
        return out
    }

    mutating func catches(_ j: JSON, at loc: String) -> [Catcher] {
        guard let arr = j.array else { problem(loc, "Catch must be an array"); return [] }
        var out: [Catcher] = []
        for (i, c) in arr.enumerated() {
            let cl = "\(loc) Catch[\(i)]"
            let errs = errorEquals(c["ErrorEquals"], at: cl)
            if errs == ["States.ALL"] && i != arr.count - 1 { problem(cl, "a States.ALL catcher must be the last one") }
            guard let n = c["Next"]?.string else { problem(cl, "missing Next"); continue }
            var rp = OptionalPath.root
            if let v = c["ResultPath"] {
                if v.isNull { rp = .discard }
                else if let s = v.string, let p = try? JSONPath(s), p.isDefinite, !p.isContext { rp = .path(p) }
                else { problem(cl, "ResultPath must be a reference path or null") }
            }
            out.append(Catcher(errorEquals: errs, next: n, resultPath: rp))
        }
        return out
    }

    mutating func condition(_ j: JSON, at loc: String, top: Bool) -> Condition? {
        guard let o = j.object else { problem(loc, "a choice rule must be an object"); return nil }
        if let a = o["And"] ?? o["Or"] {
            guard let arr = a.array, !arr.isEmpty else { problem(loc, "And/Or must be a non-empty array"); return nil }
            let subs = arr.enumerated().compactMap { condition($1, at: "\(loc)[\($0)]", top: false) }
            return o["And"] != nil ? .and(subs) : .or(subs)
        }
        if let n = o["Not"] { return condition(n, at: "\(loc).Not", top: false).map { .not($0) } }
        guard let v = o["Variable"]?.string else { problem(loc, "missing Variable"); return nil }
        let variable: JSONPath
        do { variable = try JSONPath(v) } catch { problem(loc, "Variable: \(error)"); return nil }
        let ops = o.keys.filter { ComparisonOperators.all.contains($0) }
        guard ops.count == 1 else {
            problem(loc, ops.isEmpty ? "no comparison operator (or an unknown one)" : "more than one comparison operator"); return nil
        }
        let op = ops[0], arg = o[op]!
        if op.hasSuffix("Path") {
            guard let s = arg.string, let p = try? JSONPath(s) else { problem(loc, "\(op) must be a path"); return nil }
            return .compare(variable: variable, op: op, operand: .path(p))
        }
        let ok: Bool
        if op.hasPrefix("Is") || op == "BooleanEquals" { ok = arg.bool != nil }
        else if op.hasPrefix("Numeric") { ok = arg.isNumber }
        else if op.hasPrefix("Timestamp") { ok = arg.string.flatMap(parseTimestamp) != nil }
        else { ok = arg.string != nil }
        if !ok { problem(loc, "\(op) has a value of the wrong type") }
        return .compare(variable: variable, op: op, operand: .value(arg))
    }

    mutating func template(_ j: JSON, at loc: String) -> Template? {
        switch j {
        case .object(let o):
            var fields: [(String, Template)] = []
            for (k, v) in o {
                if k.hasSuffix(".$") {
                    let key = String(k.dropLast(2))
                    guard let s = v.string else { problem(loc, "'\(k)' must name a path or an intrinsic function"); continue }
                    if s.hasPrefix("States.") {
                        do { fields.append((key, .intrinsic(try Intrinsic.parse(s)))) } catch { problem(loc, "'\(k)': \(error)") }
                    } else {
                        do { fields.append((key, .path(try JSONPath(s)))) } catch { problem(loc, "'\(k)': \(error)") }
                    }
                } else if let t = template(v, at: "\(loc).\(k)") {
                    fields.append((k, t))
                }
            }
            return .object(fields)
        case .array(let a):
            return .array(a.enumerated().compactMap { template($1, at: "\(loc)[\($0)]") })
        default:
            return .literal(j)
        }
    }
}

// MARK: - Timestamps (RFC 3339, as Choice and Wait use them)

/// Seconds since the epoch, or nil when `s` is not an RFC 3339 date-time.
public func parseTimestamp(_ s: String) -> Double? {
    let u = Array(s.utf8)
    func num(_ a: Int, _ n: Int) -> Int? {
        guard a + n <= u.count else { return nil }
        var v = 0
        for i in a..<(a + n) { guard u[i] >= 0x30 && u[i] <= 0x39 else { return nil }; v = v * 10 + Int(u[i] - 0x30) }
        return v
    }
    guard u.count >= 20, let y = num(0, 4), u[4] == 0x2D, let mo = num(5, 2), u[7] == 0x2D, let d = num(8, 2),
          u[10] == UInt8(ascii: "T") || u[10] == UInt8(ascii: "t"), let h = num(11, 2), u[13] == 0x3A, let mi = num(14, 2),
          u[16] == 0x3A, let se = num(17, 2) else { return nil }
    guard (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se < 61 else { return nil }
    var i = 19
    var frac = 0.0
    if i < u.count && u[i] == 0x2E {
        i += 1
        var scale = 0.1
        let st = i
        while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { frac += Double(u[i] - 0x30) * scale; scale /= 10; i += 1 }
        guard i > st else { return nil }
    }
    guard i < u.count else { return nil }
    var offset = 0
    if u[i] == UInt8(ascii: "Z") || u[i] == UInt8(ascii: "z") { i += 1 }
    else if u[i] == 0x2B || u[i] == 0x2D {
        guard let oh = num(i + 1, 2), i + 3 < u.count, u[i + 3] == 0x3A, let om = num(i + 4, 2) else { return nil }
        offset = (oh * 60 + om) * 60 * (u[i] == 0x2B ? 1 : -1)
        i += 6
    } else { return nil }
    guard i == u.count else { return nil }
    // Days from civil (proleptic Gregorian).
    let yy = mo <= 2 ? y - 1 : y
    let era = (yy >= 0 ? yy : yy - 399) / 400
    let yoe = yy - era * 400
    let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    let days = era * 146097 + doe - 719468
    return Double(days * 86400 + h * 3600 + mi * 60 + se - offset) + frac
}
