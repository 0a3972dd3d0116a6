/// The hit-ratio-curve analysis the `hrc` and `plot` subcommands print.
public struct HRCAnalysis {
    public var memoriesMB: [Double]
    public var exact: [HRCPoint]
    public var sampled: [HRCPoint]
    public var sampleRate: Double
    public var sampledReferences: Int
    public var invocations: Int
    public var target: Double
    public var knee: HRCPoint?
    public var memoryForTarget: Double?
    public var sampledKnee: HRCPoint?
    public var sampledMemoryForTarget: Double?

    public static func run(_ trace: AzureTrace2019, sampleRate: Double, points: Int, target: Double) throws -> HRCAnalysis {
        let exactA = ReuseDistanceAnalyzer(functions: trace.functions)
        let shardsA = ReuseDistanceAnalyzer(functions: trace.functions, sampleRate: sampleRate)
        try Replayer().run(trace, consumers: [exactA, shardsA])
        // grid up to the largest finite distance (the curve is flat beyond it)
        let top = max(exactA.maxDistance, 1)
        let grid = (0...max(points, 2)).map { top * Double($0) / Double(max(points, 2)) }
        let e = exactA.curve(at: grid), s = shardsA.curve(at: grid)
        return HRCAnalysis(memoriesMB: grid, exact: e, sampled: s, sampleRate: sampleRate,
                           sampledReferences: shardsA.references, invocations: exactA.references, target: target,
                           knee: StaticProvisioning.knee(e),
                           memoryForTarget: StaticProvisioning.memory(forHitRatio: target, e),
                           sampledKnee: StaticProvisioning.knee(s),
                           sampledMemoryForTarget: StaticProvisioning.memory(forHitRatio: target, s))
    }

    public func table() -> String {
        var o = "# size-aware LRU reuse distances; \(invocations) invocations; SHARDS rate \(sampleRate) "
        o += "(\(sampledReferences) sampled references)\n"
        o += "memoryMB  exactHitRatio  shardsHitRatio\n"
        for (e, s) in zip(exact, sampled) {
            o += Report.fmt(e.memoryMB, 0).padding(8) + "  " + Report.fmt(e.hitRatio, 4).padding(13) + "  "
            o += Report.fmt(s.hitRatio, 4) + "\n"
        }
        o += "knee (exact): \(knee.map { "\(Report.fmt($0.memoryMB, 0)) MB, hit ratio \(Report.fmt($0.hitRatio, 4))" } ?? "-")\n"
        o += "knee (SHARDS): \(sampledKnee.map { "\(Report.fmt($0.memoryMB, 0)) MB, hit ratio \(Report.fmt($0.hitRatio, 4))" } ?? "-")\n"
        o += "memory for hit ratio \(target) (exact): \(memoryForTarget.map { Report.fmt($0, 0) + " MB" } ?? "not reached")\n"
        o += "memory for hit ratio \(target) (SHARDS): \(sampledMemoryForTarget.map { Report.fmt($0, 0) + " MB" } ?? "not reached")\n"
        return o
    }

    public func json() -> String {
        func pts(_ c: [HRCPoint]) -> String {
            "[" + c.map { "[\(Report.num($0.memoryMB)),\(Report.num($0.hitRatio))]" }.joined(separator: ",") + "]"
        }
        return "{\"invocations\":\(invocations),\"sampleRate\":\(Report.num(sampleRate)),"
            + "\"exact\":\(pts(exact)),\"shards\":\(pts(sampled)),"
            + "\"kneeMB\":\(Report.num(knee?.memoryMB ?? .nan)),\"target\":\(Report.num(target)),"
            + "\"memoryForTargetMB\":\(Report.num(memoryForTarget ?? .nan))}\n"
    }
}

/// The plots drawn by `warmlane-shim plot`.
public enum Plots {
    public static func draw(_ trace: AzureTrace2019, policies: [String], memoriesMB: [Double], sampleRate: Double,
                            outDir: String, progress: ((Int, Int, Int) -> Void)?) throws -> [String] {
        var written: [String] = []
        let hrc = try HRCAnalysis.run(trace, sampleRate: sampleRate, points: 100, target: 0.9)
        var h = LineChart(title: "Hit-ratio curve (size-aware LRU reuse distance)", xLabel: "memory (MB)",
                          yLabel: "hit ratio")
        h.yRange = 0...1
        h.series.append(.init(name: "exact", points: hrc.exact.map { ($0.memoryMB, $0.hitRatio) }, markers: false))
        h.series.append(.init(name: "SHARDS R=\(Report.fmt(sampleRate, 2))",
                              points: hrc.sampled.map { ($0.memoryMB, $0.hitRatio) }, dashed: true, markers: false))
        if let k = hrc.knee {
            h.annotations.append(.init(x: k.memoryMB, y: k.hitRatio, text: "knee \(Report.fmt(k.memoryMB, 0)) MB (hit ratio \(Report.fmt(k.hitRatio, 3)))"))
        }
        if let m = hrc.memoryForTarget {
            h.annotations.append(.init(x: m, y: 0.9, text: "90% at \(Report.fmt(m, 0)) MB"))
        }
        written += try save(h, outDir + "/hrc")

        let rows = try SimulationPlan(policies: policies, memoriesMB: memoriesMB).run(trace, progress: progress)
        var c = LineChart(title: "Miss ratio vs memory (\(trace.functions.count) functions)", xLabel: "memory (MB)",
                          yLabel: "(cold starts + dropped) / invocations")
        c.yRange = 0...niceUpper(rows.map(\.missRatio).max() ?? 1)
        var names: [String] = []
        for r in rows where !names.contains(r.policy) { names.append(r.policy) }
        for n in names {
            let pts = rows.filter { $0.policy == n }.map { ($0.memoryMB, $0.missRatio) }
            c.series.append(.init(name: n == "bound" ? "bound (PFOO-L)" : n, points: pts, dashed: n == "bound"))
        }
        written += try save(c, outDir + "/coldstart")

        var x = LineChart(title: "Execution-time increase vs memory", xLabel: "memory (MB)",
                          yLabel: "cold-start overhead (% of warm time)")
        for n in names where n != "bound" {
            x.series.append(.init(name: n, points: rows.filter { $0.policy == n }.map { ($0.memoryMB, $0.execTimeIncreasePercent) }))
        }
        written += try save(x, outDir + "/exectime")
        try PlotFiles.write(Report.json(rows), to: outDir + "/plot-data.json")
        written.append(outDir + "/plot-data.json")
        return written
    }

    static func niceUpper(_ v: Double) -> Double { min(1, (v * 10).rounded(.up) / 10 + 0.05) }

    static func save(_ chart: LineChart, _ base: String) throws -> [String] {
        try PlotFiles.write(chart.svg(), to: base + ".svg")
        var out = [base + ".svg"]
        if PlotFiles.convertToPNG(svg: base + ".svg", png: base + ".png") != nil { out.append(base + ".png") }
        return out
    }
}
