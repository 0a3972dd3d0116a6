import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import KeepAlive
@testable import Simulator

private func fn(_ mb: Double, warm: Double, cost: Double) -> TraceFunction {
    TraceFunction(hash: "f\(mb)-\(warm)-\(cost)", spec: FunctionSpec(memoryMB: mb, coldStartSeconds: cost), warmSeconds: warm)
}

@Suite struct ReuseDistanceTests {
    @Test func sizeAwareStackDistances() {
        // A 10 MB, B 20 MB, C 30 MB; accesses A B A C B A
        let r = ReuseDistanceAnalyzer(functions: [fn(10, warm: 0, cost: 0), fn(20, warm: 0, cost: 0), fn(30, warm: 0, cost: 0)])
        for f in [0, 1, 0, 2, 1, 0] { r.add(f) }
        // A@2: B since → 20 + 10 = 30;  B@4: A, C since → 10 + 30 + 20 = 60;  A@5: C, B since → 30 + 20 + 10 = 60
        #expect(r.distances == [30, 60, 60])
        let c = r.curve(at: [29, 30, 59, 60, 1000])
        let want: [Double] = [0, 1.0 / 6, 1.0 / 6, 3.0 / 6, 3.0 / 6]
        #expect(c.map { $0.hitRatio } == want)
    }

    @Test func shardsScalesSampledDistances() {
        // With rate 1 SHARDS is exact; with any rate, each sampled distance is divided by the rate.
        let fns = (0..<64).map { fn(Double($0 + 1), warm: 0, cost: 0) }
        let exact = ReuseDistanceAnalyzer(functions: fns, sampleRate: 1)
        let half = ReuseDistanceAnalyzer(functions: fns, sampleRate: 0.5)
        for _ in 0..<3 { for f in 0..<64 { exact.add(f); half.add(f) } }
        #expect(exact.references == 192)
        #expect(half.references > 0 && half.references < 192)
        #expect(half.references % 3 == 0)
        // round-robin: distance of f = sum of sampled sizes / 0.5
        let sampledSizes = (0..<64).filter { half.sampled[$0] }.map { Double($0 + 1) }.reduce(0, +)
        #expect(half.distances.allSatisfy { $0 == sampledSizes / 0.5 })
    }

    @Test func kneeAndTargetMemory() {
        let curve = [HRCPoint(memoryMB: 0, hitRatio: 0), HRCPoint(memoryMB: 1, hitRatio: 0.8),
                     HRCPoint(memoryMB: 2, hitRatio: 0.9), HRCPoint(memoryMB: 3, hitRatio: 0.95),
                     HRCPoint(memoryMB: 4, hitRatio: 1.0)]
        // normalised y − x: 0, 0.55, 0.40, 0.2, 0 → knee at 1 MB
        #expect(StaticProvisioning.knee(curve)?.memoryMB == 1)
        #expect(StaticProvisioning.memory(forHitRatio: 0.9, curve) == 2)
        #expect(StaticProvisioning.memory(forHitRatio: 0.99, curve) == 4)
        #expect(StaticProvisioning.memory(forHitRatio: 1.01, curve) == nil)
    }
}

@Suite struct BoundTests {
    @Test func pfooLWeightsAndBudget() {
        // A: 10 MB, warm 1 s, cost 1 s; arrivals 0, 5, 20; trace 100 s.
        // arrival 5: possible ends ≤ 5 are 1 (warm) and 2 (cold) → gap 3 → weight 30
        // arrival 20: ends 1, 2, 6, 7 → gap 13 → weight 130;  arrival 0: forced miss
        func bound(_ m: Double) -> Int {
            let b = PFOOLowerBound(functions: [fn(10, warm: 1, cost: 1)], memoriesMB: [m])
            for t in [0.0, 5, 20] { b.add(0, at: t) }
            return b.missBounds(traceSeconds: 100)[0]
        }
        #expect(bound(0.2) == 3)      // budget 20 < 30
        #expect(bound(0.3) == 2)      // budget 30: one interval
        #expect(bound(1.59) == 2)     // 159 < 160
        #expect(bound(1.6) == 1)      // both
    }

    @Test func boundIsNeverAboveAnyReactivePolicy() {
        // A random but fixed trace: 12 functions, bursts and concurrency.
        var rng: UInt64 = 7
        func rand() -> Double { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Double(rng >> 11) / Double(1 << 53) }
        let fns = (0..<12).map { i in fn(20 + 90 * rand(), warm: 0.5 + 20 * rand(), cost: 0.5 + 10 * rand()) }
        var arrivals: [(Double, Int)] = []
        for f in 0..<12 {
            let rate = 0.002 + 0.05 * rand()
            var t = 0.0
            while true { t += -log(1 - rand()) / rate; if t > 3600 { break }; arrivals.append((t, f)) }
        }
        arrivals.sort { $0.0 < $1.0 }
        let memories = [50.0, 120, 250, 500, 1000, 5000]
        let b = PFOOLowerBound(functions: fns, memoriesMB: memories)
        for (t, f) in arrivals { b.add(f, at: t) }
        let bounds = b.missBounds(traceSeconds: 3600)
        #expect(bounds == bounds.sorted(by: >))          // more memory, no more misses
        func misses<P: KeepAlivePolicy>(_ p: P, _ m: Double) -> Int {
            var s = Simulation(policy: p, memoryMB: m, functions: fns)
            for (t, f) in arrivals { s.arrive(f, at: t) }
            let r = s.result(traceSeconds: 3600)
            #expect(r.coldStarts + r.warmStarts + r.dropped == arrivals.count)
            return r.coldStarts + r.dropped
        }
        for (i, m) in memories.enumerated() {
            let policies = [misses(GDSFPolicy(), m), misses(TTLPolicy(), m), misses(LRUPolicy(), m),
                            misses(LandlordPolicy(), m), misses(FrequencyPolicy(), m), misses(SizePolicy(), m),
                            misses(InterArrivalGDPolicy(prewarm: false), m)]
            for p in policies { #expect(bounds[i] <= p, "memory \(m): bound \(bounds[i]) > policy \(p)") }
        }
    }
}

@Suite struct ReplayTests {
    @Test func concurrencyDropsAndExecTime() {
        // 100 MB, warm 10 s, cost 5 s, memory 150 MB.
        var s = Simulation(policy: GDSFPolicy(), memoryMB: 150, functions: [fn(100, warm: 10, cost: 5)])
        s.arrive(0, at: 0)     // cold, busy until 15
        s.arrive(0, at: 1)     // needs a second container: 200 MB > 150 and nothing idle → dropped
        s.arrive(0, at: 20)    // warm
        let r = s.result(traceSeconds: 60)
        #expect(r.coldStarts == 1)
        #expect(r.dropped == 1)
        #expect(r.warmStarts == 1)
        #expect(abs(r.execTimeIncreasePercent - 25) < 1e-9)      // 5 s over 20 s of warm time
        #expect(abs(r.meanWarmMemoryMB - 100) < 1e-9)             // one container for the whole minute
    }

    @Test func azure2019ConversionAndEvenSpreading() throws {
        var template = Array("/tmp/warmlane-trace-XXXXXX".utf8CString)
        let dir = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        try PlotFiles.write("HashOwner,HashApp,HashFunction,Trigger,600,601\no,a,fA,http,4,0\no,a,fB,timer,1,2\no,a,fC,http,1,1\n",
                            to: dir + "/invocations.csv")
        try PlotFiles.write("HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum\no,a,fA,100,4,50,1100\no,a,fB,2000,3,2000,2000\n",
                            to: dir + "/durations.csv")
        try PlotFiles.write("HashFunction,HashOwner,HashApp,SampleCount,AverageAllocatedMb\nfA,o,a,1,128.5\nfB,o,a,1,64\nfC,o,a,1,10\n",
                            to: dir + "/memory.csv")
        let t = try AzureTrace2019(directory: dir)
        #expect(t.functions.count == 2 && t.skippedFunctions == 1)          // fC has no durations
        #expect(t.functions[0].spec == FunctionSpec(memoryMB: 128.5, coldStartSeconds: 1.0))   // (1100 − 100) ms
        #expect(t.functions[0].warmSeconds == 0.1)
        #expect(t.functions[1].spec.coldStartSeconds == 0)
        let s = try t.stream()
        var b = ArrivalBatch()
        #expect(s.next(into: &b))
        let expected: [Double] = [0, 0, 15, 30, 45]
        #expect(b.times == expected)
        #expect(b.functions == [0, 1, 0, 0, 0])
        #expect(s.next(into: &b))
        let expected2: [Double] = [60, 90]
        #expect(b.times == expected2)
        #expect(b.functions == [1, 1])
        #expect(!s.next(into: &b))
        for f in ["invocations", "durations", "memory"] { unlink(dir + "/\(f).csv") }
        rmdir(dir)
    }

    @Test func reportJSONHasOneObjectPerRow() {
        let r = SimulationResult(policy: "GDSF", memoryMB: 512, invocations: 10, coldStarts: 2, warmStarts: 7, dropped: 1,
                                 coldStartRatio: 0.2, execTimeIncreasePercent: 12.5, meanWarmMemoryMB: 300.25)
        let j = Report.json([r, r])
        #expect(j.split(separator: "\n").count == 4)
        let line = "{\"policy\":\"GDSF\",\"memoryMB\":512,\"invocations\":10,\"coldStarts\":2,\"warmStarts\":7,\"dropped\":1,\"coldStartRatio\":0.2,\"execTimeIncreasePercent\":12.5,\"meanWarmMemoryMB\":300.25}"
        #expect(j.contains(line))
    }
}
