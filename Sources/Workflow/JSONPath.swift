// The JSONPath subset ASL uses: `$`, `$$` (context object), `.name`, `['name']`, `[n]`,
// `[*]`, `.*`, `[a,b]` and slices `[start:end:step]`. Reference paths (ResultPath, the
// Variable of a Choice rule) may only use names and single indexes.

public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
        case wildcard
        case indexes([Int])
        case slice(Int?, Int?, Int?)
    }

    public let text: String
    /// `$$…`: the path reads the context object instead of the state's input.
    public let isContext: Bool
    public let components: [Component]

    public var description: String { text }

    /// A definite path yields one value; wildcards, lists and slices yield an array of matches.
    public var isDefinite: Bool {
        components.allSatisfy { if case .key = $0 { return true }; if case .index = $0 { return true }; return false }
    }

    public init(_ text: String) throws {
        self.text = text
        var s = Substring(text)
        guard s.first == "$" else { throw PathError("path '\(text)' must start with '$'") }
        s = s.dropFirst()
        if s.first == "$" { isContext = true; s = s.dropFirst() } else { isContext = false }
        var comps: [Component] = []
        while let c = s.first {
            if c == "." {
                s = s.dropFirst()
                if s.first == "*" { s = s.dropFirst(); comps.append(.wildcard); continue }
                let name = s.prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty else { throw PathError("path '\(text)' has an empty name") }
                comps.append(.key(String(name)))
                s = s.dropFirst(name.count)
            } else if c == "[" {
                s = s.dropFirst()
                guard let close = JSONPath.closingBracket(s) else { throw PathError("path '\(text)' has an unclosed '['") }
                let inner = s[s.startIndex..<close].trimmingSpaces()
                s = s[s.index(after: close)...]
                if inner == "*" { comps.append(.wildcard) }
                else if let q = inner.first, q == "'" || q == "\"", inner.count >= 2, inner.last == q {
                    comps.append(.key(String(inner.dropFirst().dropLast())))
                } else if inner.contains(":") {
                    let parts = inner.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
                    guard parts.count <= 3 else { throw PathError("path '\(text)' has a bad slice") }
                    func num(_ i: Int) throws -> Int? {
                        guard i < parts.count, !parts[i].isEmpty else { return nil }
                        guard let v = Int(parts[i]) else { throw PathError("path '\(text)' has a bad slice") }
                        return v
                    }
                    comps.append(.slice(try num(0), try num(1), try num(2)))
                } else if inner.contains(",") {
                    let idx = try inner.split(separator: ",").map { p -> Int in
                        guard let v = Int(p.trimmingSpaces()) else { throw PathError("path '\(text)' has a bad index list") }
                        return v
                    }
                    comps.append(.indexes(idx))
                } else if let v = Int(inner) {
                    comps.append(.index(v))
                } else {
                    throw PathError("path '\(text)' uses an unsupported expression '[\(inner)]'")
                }
            } else {
                throw PathError("path '\(text)' has an unexpected character '\(c)'")
            }
        }
        components = comps
    }

    static func closingBracket(_ s: Substring) -> Substring.Index? {
        var quote: Character? = nil
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if let q = quote { if c == q { quote = nil } }
            else if c == "'" || c == "\"" { quote = c }
            else if c == "]" { return i }
            i = s.index(after: i)
        }
        return nil
    }

    /// Evaluates the path. `nil` when a definite path does not exist in `root`.
    public func evaluate(_ root: JSON) -> JSON? {
        if isDefinite {
            var cur = root
            for c in components {
                switch c {
                case .key(let k): guard let o = cur.object, let v = o[k] else { return nil }; cur = v
                case .index(let i):
                    guard let a = cur.array else { return nil }
                    let j = i < 0 ? a.count + i : i
                    guard j >= 0, j < a.count else { return nil }
                    cur = a[j]
                default: return nil
                }
            }
            return cur
        }
        var current = [root]
        for c in components {
            var next: [JSON] = []
            for v in current {
                switch c {
                case .key(let k): if let x = v.object?[k] { next.append(x) }
                case .index(let i):
                    if let a = v.array { let j = i < 0 ? a.count + i : i; if j >= 0 && j < a.count { next.append(a[j]) } }
                case .wildcard:
                    if let a = v.array { next.append(contentsOf: a) }
                    else if let o = v.object { for (_, x) in o { next.append(x) } }
                case .indexes(let idx):
                    if let a = v.array { for i in idx { let j = i < 0 ? a.count + i : i; if j >= 0 && j < a.count { next.append(a[j]) } } }
                case .slice(let s, let e, let st):
                    if let a = v.array { next.append(contentsOf: JSONPath.slice(a, s, e, st)) }
                }
            }
            current = next
        }
        return .array(current)
    }

    static func slice(_ a: [JSON], _ s: Int?, _ e: Int?, _ st: Int?) -> [JSON] {
        let n = a.count
        let step = st ?? 1
        guard step > 0 else { return [] }
        func norm(_ x: Int?, _ d: Int) -> Int { guard let x else { return d }; return x < 0 ? max(0, n + x) : min(x, n) }
        let lo = norm(s, 0), hi = norm(e, n)
        guard lo < hi else { return [] }
        return stride(from: lo, to: hi, by: step).map { a[$0] }
    }

    /// Writes `value` at this reference path inside `root`, creating objects on the way (ResultPath).
    public func assign(_ value: JSON, into root: JSON) throws -> JSON {
        guard isDefinite, !isContext else { throw PathError("ResultPath '\(text)' must be a reference path") }
        return try JSONPath.assign(value, into: root, components[...])
    }

    static func assign(_ value: JSON, into node: JSON, _ rest: ArraySlice<Component>) throws -> JSON {
        guard let c = rest.first else { return value }
        switch c {
        case .key(let k):
            var o: JSONObject
            switch node {
            case .object(let x): o = x
            default: throw ResultPathMismatch(key: k, found: node)
            }
            let child = o[k] ?? .object(JSONObject())
            o[k] = try assign(value, into: child, rest.dropFirst())
            return .object(o)
        case .index(let i):
            guard case .array(var a) = node, i >= 0, i < a.count else {
                throw ResultPathMismatch(key: "[\(i)]", found: node)
            }
            a[i] = try assign(value, into: a[i], rest.dropFirst())
            return .array(a)
        default:
            throw PathError("ResultPath must be a reference path")
        }
    }
}

public struct PathError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

struct ResultPathMismatch: Error, CustomStringConvertible {
    let key: String
    let found: JSON
    var description: String { "cannot set '\(key)' on a value of type \(found.typeName)" }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
