// Intrinsic functions usable in templates ("key.$": "States.Format('{}', $.x)").
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public struct Intrinsic {
    public indirect enum Arg { case value(JSON), path(JSONPath), call(Intrinsic) }
    public let name: String
    public let args: [Arg]

    static let known: Set<String> = [
        "States.Format", "States.StringToJson", "States.JsonToString", "States.Array", "States.ArrayLength",
        "States.ArrayContains", "States.ArrayGetItem", "States.ArrayRange", "States.ArrayUnique", "States.ArrayPartition",
        "States.MathAdd", "States.StringSplit", "States.Base64Encode", "States.Base64Decode", "States.UUID",
    ]

    public static func parse(_ text: String) throws -> Intrinsic {
        var p = IntrinsicParser(chars: Array(text.unicodeScalars))
        let call = try p.call()
        p.skip()
        guard p.i == p.chars.count else { throw PathError("trailing text after intrinsic function in '\(text)'") }
        return call
    }

    func evaluate(_ resolve: (JSONPath) throws -> JSON) throws -> JSON {
        let a = try args.map { arg -> JSON in
            switch arg {
            case .value(let v): return v
            case .path(let p): return try resolve(p)
            case .call(let c): return try c.evaluate(resolve)
            }
        }
        func fail(_ msg: String) -> ExecutionError { ExecutionError(.intrinsicFailure, "\(name): \(msg)") }
        func int(_ v: JSON) throws -> Int {
            guard let d = v.number, d.rounded() == d else { throw fail("expected an integer, got \(v)") }
            return Int(d)
        }
        switch name {
        case "States.Format":
            guard let fmt = a.first?.string else { throw fail("the first argument must be a string") }
            var out = ""
            var rest = a.dropFirst().makeIterator()
            var chars = Array(fmt.unicodeScalars)[...]
            while let c = chars.first {
                chars = chars.dropFirst()
                if c == "\\", let n = chars.first { out.unicodeScalars.append(n); chars = chars.dropFirst(); continue }
                if c == "{", chars.first == "}" {
                    chars = chars.dropFirst()
                    guard let v = rest.next() else { throw fail("more {} than arguments") }
                    if case .string(let s) = v { out += s } else { out += v.serialized() }
                    continue
                }
                out.unicodeScalars.append(c)
            }
            if rest.next() != nil { throw fail("more arguments than {}") }
            return .string(out)
        case "States.StringToJson":
            guard let s = a.first?.string else { throw fail("expected a string") }
            do { return try JSON.parse(s) } catch { throw fail("\(error)") }
        case "States.JsonToString":
            guard a.count == 1 else { throw fail("expected one argument") }
            return .string(a[0].serialized())
        case "States.Array":
            return .array(a)
        case "States.ArrayLength":
            guard let arr = a.first?.array else { throw fail("expected an array") }
            return .int(Int64(arr.count))
        case "States.ArrayContains":
            guard a.count == 2, let arr = a[0].array else { throw fail("expected an array and a value") }
            return .bool(arr.contains(a[1]))
        case "States.ArrayGetItem":
            guard a.count == 2, let arr = a[0].array else { throw fail("expected an array and an index") }
            let i = try int(a[1])
            guard i >= 0 && i < arr.count else { throw fail("index \(i) out of bounds") }
            return arr[i]
        case "States.ArrayRange":
            guard a.count == 3 else { throw fail("expected start, end, step") }
            let s = try int(a[0]), e = try int(a[1]), st = try int(a[2])
            guard st != 0 else { throw fail("step must not be 0") }
            let r = Array(stride(from: s, through: e, by: st))
            guard r.count <= 1000 else { throw fail("at most 1000 items") }
            return .array(r.map { .int(Int64($0)) })
        case "States.ArrayUnique":
            guard let arr = a.first?.array else { throw fail("expected an array") }
            var seen = Set<JSON>(); var out: [JSON] = []
            for v in arr where seen.insert(v).inserted { out.append(v) }
            return .array(out)
        case "States.ArrayPartition":
            guard a.count == 2, let arr = a[0].array else { throw fail("expected an array and a size") }
            let n = try int(a[1])
            guard n > 0 else { throw fail("chunk size must be positive") }
            return .array(stride(from: 0, to: arr.count, by: n).map { .array(Array(arr[$0..<min($0 + n, arr.count)])) })
        case "States.MathAdd":
            guard a.count == 2 else { throw fail("expected two numbers") }
            return .int(Int64(try int(a[0]) + int(a[1])))
        case "States.StringSplit":
            guard a.count == 2, let s = a[0].string, let sep = a[1].string else { throw fail("expected two strings") }
            let seps = Set(sep)
            return .array(s.split(whereSeparator: { seps.contains($0) }).map { .string(String($0)) })
        case "States.Base64Encode":
            guard let s = a.first?.string else { throw fail("expected a string") }
            return .string(Data(s.utf8).base64EncodedString())
        case "States.Base64Decode":
            guard let s = a.first?.string, let d = Data(base64Encoded: s) else { throw fail("expected base64 text") }
            return .string(String(decoding: d, as: UTF8.self))
        case "States.UUID":
            return .string(UUID().uuidString.lowercased())
        default:
            throw fail("unknown intrinsic function")
        }
    }
}

struct IntrinsicParser {
    let chars: [Unicode.Scalar]
    var i = 0
    mutating func skip() { while i < chars.count && chars[i] == " " { i += 1 } }

    mutating func call() throws -> Intrinsic {
        skip()
        var name = ""
        while i < chars.count, chars[i] != "(" { name.unicodeScalars.append(chars[i]); i += 1 }
        name = String(name.trimmingCharacters(in: " "))
        guard Intrinsic.known.contains(name) else { throw PathError("unknown intrinsic function '\(name)'") }
        guard i < chars.count else { throw PathError("missing '(' after \(name)") }
        i += 1
        var args: [Intrinsic.Arg] = []
        skip()
        if i < chars.count && chars[i] == ")" { i += 1; return Intrinsic(name: name, args: args) }
        while true {
            skip()
            args.append(try arg())
            skip()
            guard i < chars.count else { throw PathError("unterminated call to \(name)") }
            if chars[i] == "," { i += 1; continue }
            if chars[i] == ")" { i += 1; return Intrinsic(name: name, args: args) }
            throw PathError("unexpected '\(chars[i])' in call to \(name)")
        }
    }

    mutating func arg() throws -> Intrinsic.Arg {
        guard i < chars.count else { throw PathError("missing argument") }
        let c = chars[i]
        if c == "'" {
            i += 1
            var s = ""
            while i < chars.count, chars[i] != "'" {
                if chars[i] == "\\", i + 1 < chars.count {
                    // Keep the escape for States.Format's own handling of \{ \}; unescape quotes/backslashes.
                    let n = chars[i + 1]
                    if n == "'" || n == "\\" { s.unicodeScalars.append(n) } else { s.unicodeScalars.append("\\"); s.unicodeScalars.append(n) }
                    i += 2; continue
                }
                s.unicodeScalars.append(chars[i]); i += 1
            }
            guard i < chars.count else { throw PathError("unterminated string literal") }
            i += 1
            return .value(.string(s))
        }
        var tok = ""
        var depth = 0
        var inQuote = false
        while i < chars.count {
            let ch = chars[i]
            if ch == "'" { inQuote.toggle() }
            if !inQuote {
                if ch == "(" { depth += 1 }
                if ch == ")" { if depth == 0 { break }; depth -= 1 }
                if ch == "," && depth == 0 { break }
            }
            tok.unicodeScalars.append(ch); i += 1
        }
        tok = String(tok.trimmingCharacters(in: " "))
        if tok.hasPrefix("$") { return .path(try JSONPath(tok)) }
        if tok.hasPrefix("States.") { return .call(try Intrinsic.parse(tok)) }
        if let v = try? JSON.parse(tok), !(v.object != nil || v.array != nil) { return .value(v) }
        throw PathError("bad intrinsic argument '\(tok)'")
    }
}

extension StringProtocol {
    func trimmingCharacters(in c: Character) -> Substring {
        var s = self[...]
        while s.first == c { s = s.dropFirst() }
        while s.last == c { s = s.dropLast() }
        return Substring(s)
    }
}
