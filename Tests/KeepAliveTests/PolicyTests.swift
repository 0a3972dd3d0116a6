import Testing
@testable import KeepAlive

private let eps = 1e-12

@Suite struct GDSFTests {
    // A: 100 MB, cost 2 s;  B: 50 MB, cost 3 s;  C: 100 MB, cost 10 s; memory 150 MB.
    func pool() -> KeepAlivePool<GDSFPolicy> {
        KeepAlivePool(capacityMB: 150, policy: GDSFPolicy(), functions: [
            FunctionSpec(memoryMB: 100, coldStartSeconds: 2),
            FunctionSpec(memoryMB: 50, coldStartSeconds: 3),
            FunctionSpec(memoryMB: 100, coldStartSeconds: 10),
        ])
    }

    @Test func clockAndPriorityArithmetic() {
        var p = pool()
        // t=0 A cold: freq 1, priority = 0 + 1·2/100 = 0.02
        let a = p.invoke(0, now: 0)
        #expect(a.isCold)
        #expect(abs(p.priority(of: a.container!) - 0.02) < eps)
        p.recordEnd(a.container!, now: 1)
        // t=2 B cold: priority = 0 + 1·3/50 = 0.06
        let b = p.invoke(1, now: 2)
        #expect(abs(p.priority(of: b.container!) - 0.06) < eps)
        p.recordEnd(b.container!, now: 3)
        // t=4 A warm on the same container: freq 2, priority = 0 + 2·2/100 = 0.04
        let a2 = p.invoke(0, now: 4)
        #expect(a2 == .warm(a.container!))
        #expect(p.freq[0] == 2)
        #expect(abs(p.priority(of: a.container!) - 0.04) < eps)
        p.recordEnd(a.container!, now: 5)
        // t=6 C needs 100 MB, 0 free: evict the lowest, A (0.04) < B (0.06). clock = 0.04.
        let c = p.invoke(2, now: 6)
        #expect(c == .cold(c.container!, evicted: 1))
        #expect(p.state(of: b.container!) == .idle)
        #expect(abs(p.policy.clock - 0.04) < eps)
        #expect(p.freq[0] == 0)                                  // A's last container is gone
        #expect(abs(p.priority(of: c.container!) - (0.04 + 10.0 / 100)) < eps)   // 0.14
        p.recordEnd(c.container!, now: 7)
        // t=8 A again: evicting B (0.06) frees only 50 MB, so C (0.14) goes too;
        // the clock rises to the largest evicted priority, 0.14. freq restarts at 1.
        let a3 = p.invoke(0, now: 8)
        #expect(a3 == .cold(a3.container!, evicted: 2))
        #expect(abs(p.policy.clock - 0.14) < eps)
        #expect(p.freq[0] == 1)
        #expect(abs(p.priority(of: a3.container!) - (0.14 + 2.0 / 100)) < eps)
        #expect(p.evictions == 3)
    }

    @Test func freqSpansContainersAndResetsOnlyWhenLastIsGone() {
        // A: 40 MB, Z: 40 MB; memory 120 MB.
        var p = KeepAlivePool(capacityMB: 120, policy: GDSFPolicy(), functions: [
            FunctionSpec(memoryMB: 40, coldStartSeconds: 1), FunctionSpec(memoryMB: 40, coldStartSeconds: 1)])
        let c1 = p.invoke(0, now: 0).container!
        let second = p.invoke(0, now: 0.5)           // c1 busy: a second container, a cold start
        #expect(second.isCold)
        let c2 = second.container!
        #expect(c1 != c2)
        #expect(p.freq[0] == 2)                      // counted across both containers
        #expect(p.liveContainers[0] == 2)
        p.recordEnd(c1, now: 1)
        p.recordEnd(c2, now: 1.5)
        // c1 (priority 1/40) is below c2 (2/40): Z's cold start evicts c1 only (80 used + 40 = 120 fits? no: 80+40=120 fits).
        let z = p.invoke(1, now: 2)
        #expect(z == .cold(z.container!, evicted: 0))
        p.recordEnd(z.container!, now: 3)
        // A second Z container concurrently needs 40 MB more: evicts c1, A keeps c2 and its freq.
        let z1 = p.invoke(1, now: 4).container!
        let z2 = p.invoke(1, now: 4.1)
        #expect(z2.isCold)
        #expect(p.state(of: c1) == .free || p.function(of: c1) == 1)
        #expect(p.liveContainers[0] == 1)
        #expect(p.freq[0] == 2)                      // not reset: A still has c2
        p.recordEnd(z1, now: 5); p.recordEnd(z2.container!, now: 5)
        _ = p.chooseVictims(toFree: 120, now: 6)     // evict everything idle
        #expect(p.liveContainers[0] == 0)
        #expect(p.freq[0] == 0)                      // reset with the last container
    }

    @Test func busyContainersAreNeverEvictedAndDropsAreReported() {
        var p = KeepAlivePool(capacityMB: 100, policy: GDSFPolicy(), functions: [
            FunctionSpec(memoryMB: 60, coldStartSeconds: 1), FunctionSpec(memoryMB: 60, coldStartSeconds: 1)])
        let a = p.invoke(0, now: 0).container!
        #expect(p.invoke(1, now: 1) == .dropped)      // A is running: nothing can be freed
        #expect(p.state(of: a) == .busy)
        #expect(p.invoke(0, now: 1) == .dropped)      // A busy, a second A does not fit either
        p.recordEnd(a, now: 2)
        #expect(p.invoke(1, now: 3) == .cold(p.idleContainer(of: 1) ?? 0, evicted: 1) || p.liveContainers[1] == 1)
        #expect(p.liveContainers[0] == 0)
    }
}

@Suite struct BaselineTests {
    @Test func ttlExpiresAfterTenMinutesIdle() {
        var p = KeepAlivePool(capacityMB: 1000, policy: TTLPolicy(), functions: [
            FunctionSpec(memoryMB: 100, coldStartSeconds: 1)])
        let c = p.invoke(0, now: 0).container!
        p.recordEnd(c, now: 10)
        #expect(p.nextEventTime() == 610)
        #expect(p.expire(upTo: 609).isEmpty)
        #expect(p.invoke(0, now: 609.9) == .warm(c))   // still warm just before the deadline
        p.recordEnd(c, now: 610)
        #expect(p.nextEventTime() == 1210)             // the old deadline is stale
        _ = p.expire(upTo: 1210)
        #expect(p.state(of: c) == .free)
        #expect(p.expirations == 1)
        #expect(p.invoke(0, now: 1300).isCold)
    }

    @Test func ttlEvictsLRUWhenMemoryIsFull() {
        var p = KeepAlivePool(capacityMB: 200, policy: TTLPolicy(), functions: [
            FunctionSpec(memoryMB: 100, coldStartSeconds: 1), FunctionSpec(memoryMB: 100, coldStartSeconds: 9),
            FunctionSpec(memoryMB: 100, coldStartSeconds: 1)])
        let a = p.invoke(0, now: 0).container!; p.recordEnd(a, now: 1)
        let b = p.invoke(1, now: 2).container!; p.recordEnd(b, now: 3)
        _ = p.invoke(2, now: 4)
        #expect(p.state(of: a) == .free || p.function(of: a) == 2)   // A used least recently
        #expect(p.idleContainer(of: 1) == b)
    }

    @Test func landlordIsGreedyDualSize() {
        var p = KeepAlivePool(capacityMB: 100, policy: LandlordPolicy(), functions: [
            FunctionSpec(memoryMB: 50, coldStartSeconds: 5), FunctionSpec(memoryMB: 50, coldStartSeconds: 1),
            FunctionSpec(memoryMB: 50, coldStartSeconds: 1)])
        for f in 0..<2 { let c = p.invoke(f, now: Double(f)).container!; p.recordEnd(c, now: Double(f) + 0.5) }
        for _ in 0..<5 { let c = p.invoke(1, now: 3).container!; p.recordEnd(c, now: 3.5) }   // freq does not matter
        _ = p.invoke(2, now: 4)
        #expect(p.liveContainers[1] == 0)          // 1/50 < 5/50
        #expect(abs(p.policy.clock - 1.0 / 50) < eps)
    }

    @Test func sizeEvictsLargestAndFreqLeastFrequent() {
        let specs = [FunctionSpec(memoryMB: 10, coldStartSeconds: 1), FunctionSpec(memoryMB: 80, coldStartSeconds: 1),
                     FunctionSpec(memoryMB: 10, coldStartSeconds: 1)]
        var s = KeepAlivePool(capacityMB: 95, policy: SizePolicy(), functions: specs)
        var q = KeepAlivePool(capacityMB: 95, policy: FrequencyPolicy(), functions: specs)
        for t in 0..<3 { let c = s.invoke(0, now: Double(t)).container!; s.recordEnd(c, now: Double(t) + 0.1)
                         let d = q.invoke(0, now: Double(t)).container!; q.recordEnd(d, now: Double(t) + 0.1) }
        let c1 = s.invoke(1, now: 5).container!; s.recordEnd(c1, now: 6)
        let d1 = q.invoke(1, now: 5).container!; q.recordEnd(d1, now: 6)
        _ = s.invoke(2, now: 7); _ = q.invoke(2, now: 7)
        #expect(s.liveContainers[1] == 0 && s.liveContainers[0] == 1)   // SIZE: the 80 MB one
        #expect(q.liveContainers[1] == 0 && q.liveContainers[0] == 1)   // FREQ: 1 call < 3 calls
    }
}

@Suite struct HistogramTests {
    @Test func representativeHistogramGivesPrewarmAndKeepAliveWindows() {
        var h = HybridHistogramPolicy()
        // 20 idle times of 30–30.9 minutes: all in bin 30.
        for i in 0..<20 { h.recordArrival(of: 0, now: 0, sinceLastArrival: nil, idleTime: 1800 + Double(i) * 3) }
        // CV of 240 bins with one non-empty bin = sqrt(239) ≈ 15.46
        #expect(abs(h.binCV(0) - 239.0.squareRoot()) < 1e-9)
        let w = h.windows(0)
        #expect(w.representative)
        #expect(abs(w.prewarm - 30 * 60 * 0.9) < 1e-9)          // head 5th pct = bin 30, minus 10%
        #expect(abs(w.keepAliveEnd - 31 * 60 * 1.1) < 1e-9)     // tail 99th pct = end of bin 30, plus 10%
    }

    @Test func percentilesSpanBins() {
        var h = HybridHistogramPolicy()
        // 100 samples: 10 in bin 0 (→ head 0: no pre-warm), 89 in bin 5, 1 in bin 20.
        for _ in 0..<10 { h.recordArrival(of: 0, now: 0, sinceLastArrival: nil, idleTime: 10) }
        for _ in 0..<89 { h.recordArrival(of: 0, now: 0, sinceLastArrival: nil, idleTime: 330) }
        h.recordArrival(of: 0, now: 0, sinceLastArrival: nil, idleTime: 1210)
        let w = h.windows(0)
        #expect(w.representative)
        #expect(w.prewarm == 0)
        #expect(abs(w.keepAliveEnd - 6 * 60 * 1.1) < 1e-9)      // 99th percentile = 99th sample, bin 5
    }

    @Test func unrepresentativeHistogramFallsBackToLongKeepAlive() {
        var few = HybridHistogramPolicy()
        for _ in 0..<4 { few.recordArrival(of: 0, now: 0, sinceLastArrival: nil, idleTime: 600) }
        #expect(few.windows(0) == (0, 4 * 3600, false))
        var spread = HybridHistogramPolicy()
        for b in 0..<240 { spread.recordArrival(of: 0, now: 0, sinceLastArrival: nil, idleTime: Double(b) * 60 + 1) }
        #expect(spread.binCV(0) < 1e-9)                          // flat histogram
        #expect(spread.windows(0).representative == false)
    }

    @Test func poolUnloadsAndPrewarmsOnHistWindows() {
        var p = KeepAlivePool(capacityMB: 1000, policy: HybridHistogramPolicy(), functions: [
            FunctionSpec(memoryMB: 100, coldStartSeconds: 5)])
        // A runs every 10 minutes for 1 s: idle time 599 s → bin 9. Pre-warm
        // initialisation takes the cold-start cost, 5 s.
        func drain(_ p: inout KeepAlivePool<HybridHistogramPolicy>, upTo t: Double) {
            while p.nextEventTime() <= t {
                if let s = p.processNextEvent() { p.recordEnd(s.container, now: s.time + 5) }
            }
        }
        var outcomes: [InvocationOutcome] = []
        for i in 0..<9 {
            let t = Double(i) * 600
            drain(&p, upTo: t)
            let o = p.invoke(0, now: t)
            outcomes.append(o)
            p.recordEnd(o.container!, now: t + 1)
        }
        // Until 5 idle times are known the histogram is not representative: a 4 h
        // keep-alive keeps the container warm anyway.
        #expect(outcomes.allSatisfy { $0 != .dropped })
        #expect(outcomes.dropFirst().allSatisfy { $0.isWarm })
        // Representative now: head = tail = bin 9. Unloaded at the end (4801 s),
        // pre-warmed at 4801 + 9·60·0.9 = 5287, kept until 4801 + 10·60·1.1 = 5461.
        let w = p.policy.windows(0)
        #expect(w.representative)
        #expect(abs(w.prewarm - 486) < 1e-9)
        #expect(p.liveContainers[0] == 0)
        #expect(p.nextEventTime() == 4801 + 486)
        let started = p.processNextEvent()!
        #expect(started.time == 5287)
        p.recordEnd(started.container, now: started.time + 5)
        #expect(p.nextEventTime() == 4801 + 660)                  // keep-alive end
        #expect(p.invoke(0, now: 5400) == .warm(started.container))
        #expect(p.prewarmsStarted >= 1)
    }
}

@Suite struct OursAndControllerTests {
    @Test func gdIATPriorityUsesTheGapEstimate() {
        var g = InterArrivalGDPolicy(prewarm: false, alpha: 0.5)
        let spec = FunctionSpec(memoryMB: 100, coldStartSeconds: 2)
        // before any gap: default 600 s
        #expect(abs(g.priority(of: 0, freq: 1, spec: spec, now: 0) - 2.0 / (100 * 600)) < eps)
        g.recordArrival(of: 0, now: 0, sinceLastArrival: nil, idleTime: nil)
        g.recordArrival(of: 0, now: 10, sinceLastArrival: 10, idleTime: 9)   // mean 10
        g.recordArrival(of: 0, now: 40, sinceLastArrival: 30, idleTime: 29)  // mean 10 + 0.5·20 = 20
        #expect(g.expectedGap(0) == 20)
        g.didEvict(maxPriority: 0.5)
        #expect(abs(g.priority(of: 0, freq: 1, spec: spec, now: 40) - (0.5 + 2.0 / (100 * 20))) < eps)
    }

    @Test func gdIATPrewarmsPeriodicFunctionsOnce() {
        var g = InterArrivalGDPolicy(prewarm: true)
        let spec = FunctionSpec(memoryMB: 100, coldStartSeconds: 2)
        for i in 0..<5 { g.recordArrival(of: 0, now: Double(i) * 300, sinceLastArrival: i == 0 ? nil : 300, idleTime: nil) }
        // last arrival 1200, gap 300 exactly: next at 1500; pre-warm at 1500 − 2 − 30 = 1468
        #expect(g.functionGone(0, spec: spec, now: 1250, reason: .evicted) == 1468)
        #expect(g.functionGone(0, spec: spec, now: 1300, reason: .evicted) == nil)   // once per gap
    }

    @Test func controllerDeadbandAndProportionalStep() {
        var c = MissSpeedController(initialMB: 1000, targetMissesPerSecond: 1, gainMBPerMissPerSecond: 100,
                                    deadband: 0.1, minMB: 500, maxMB: 1500)
        #expect(c.update(misses: 105, seconds: 100) == 1000)   // 1.05/s: inside ±10%
        #expect(c.update(misses: 300, seconds: 100) == 1200)   // +2/s error → +200 MB
        #expect(c.update(misses: 0, seconds: 100) == 1100)     // −1/s → −100 MB
        #expect(c.update(misses: 10_000, seconds: 1) == 1500)  // clamped
    }
}
