/// Text and JSON renderings of simulation results.
public enum Report {
    public static func table(_ rows: [SimulationResult]) -> String {
        let head = ["policy", "memoryMB", "invocations", "cold", "warm", "dropped", "coldRatio", "missRatio",
                    "execInc%", "meanWarmMB"]
        var cells: [[String]] = [head]
        for r in rows {
            cells.append([r.policy, fmt(r.memoryMB, 0), String(r.invocations), String(r.coldStarts),
                          String(r.warmStarts), String(r.dropped), fmt(r.coldStartRatio, 4), fmt(r.missRatio, 4),
                          r.execTimeIncreasePercent.isNaN ? "-" : fmt(r.execTimeIncreasePercent, 2),
                          fmt(r.meanWarmMemoryMB, 0)])
        }
        let widths = head.indices.map { c in cells.map { $0[c].count }.max()! }
        return cells.map { row in
            row.indices.map { c in
                c == 0 ? row[c].padding(widths[c]) : String(repeating: " ", count: widths[c] - row[c].count) + row[c]
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// A JSON array with one object per row (one per line):
    /// {policy, memoryMB, invocations, coldStarts, warmStarts, dropped,
    ///  coldStartRatio, execTimeIncreasePercent, meanWarmMemoryMB}.
    /// Values that do not apply (the bound's execution time) are null.
    public static func json(_ rows: [SimulationResult]) -> String {
        let lines = rows.map { r in
            "{\"policy\":\(quote(r.policy)),\"memoryMB\":\(num(r.memoryMB)),\"invocations\":\(r.invocations),"
            + "\"coldStarts\":\(r.coldStarts),\"warmStarts\":\(r.warmStarts),\"dropped\":\(r.dropped),"
            + "\"coldStartRatio\":\(num(r.coldStartRatio)),\"execTimeIncreasePercent\":\(num(r.execTimeIncreasePercent)),"
            + "\"meanWarmMemoryMB\":\(num(r.meanWarmMemoryMB))}"
        }
        return "[\n" + lines.joined(separator: ",\n") + "\n]\n"
    }

    public static func fmt(_ v: Double, _ digits: Int) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (abs(v) * scale).rounded()
        var intPart = String(Int64(r / scale))
        if digits > 0 {
            var frac = String(Int64(r.truncatingRemainder(dividingBy: scale)))
            while frac.count < digits { frac = "0" + frac }
            intPart += "." + frac
        }
        return (v < 0 && r != 0 ? "-" : "") + intPart
    }

    public static func num(_ v: Double) -> String {
        if !v.isFinite { return "null" }
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if ch.value < 0x20 { out += "\\u00" + (ch.value < 16 ? "0" : "") + String(ch.value, radix: 16) }
                else { out.unicodeScalars.append(ch) }
            }
        }
        return out + "\""
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

/// Runs the simulator for the given policies and memory sizes over one pass of
/// the trace, and returns the rows ordered by memory, then by policy.
public struct SimulationPlan {
    public var policies: [String]
    public var memoriesMB: [Double]
    public init(policies: [String], memoriesMB: [Double]) { self.policies = policies; self.memoriesMB = memoriesMB }

    public func run(_ trace: AzureTrace2019, progress: ((Int, Int, Int) -> Void)? = nil) throws -> [SimulationResult] {
        var consumers: [(policy: String, consumer: ArrivalConsumer)] = []
        for p in policies {
            if p.lowercased() == "bound" {
                consumers.append((p, PFOOLowerBound(functions: trace.functions, memoriesMB: memoriesMB)))
                continue
            }
            for m in memoriesMB {
                guard let c = PolicyCatalog.runner(p, memoryMB: m, functions: trace.functions) else {
                    throw TraceError("unknown policy '\(p)'; known: \(PolicyCatalog.all.joined(separator: ","))")
                }
                consumers.append((p, c))
            }
        }
        try Replayer(progress: progress).run(trace, consumers: consumers.map(\.consumer))
        var rows: [SimulationResult] = []
        for c in consumers { rows += c.consumer.finish(traceSeconds: trace.durationSeconds) }
        let order = Dictionary(uniqueKeysWithValues: policies.enumerated().map { ($1.lowercased(), $0) })
        func key(_ r: SimulationResult) -> Int {
            order[r.policy.lowercased()] ?? order[PolicyCatalog.cliName(r.policy)] ?? 99
        }
        return rows.sorted { ($0.memoryMB, key($0)) < ($1.memoryMB, key($1)) }
    }
}

extension PolicyCatalog {
    /// The command-line name of a policy's display name.
    static func cliName(_ display: String) -> String {
        switch display {
        case "GD-IAT": return "ours"
        case "GD-IAT-noPW": return "ours-nopw"
        case "LND": return "lnd"
        default: return display.lowercased()
        }
    }
}
