import KeepAlive

/// One row of a simulation report.
public struct SimulationResult: Sendable, Codable, Equatable {
    public var policy: String
    public var memoryMB: Double
    public var invocations: Int
    public var coldStarts: Int
    public var warmStarts: Int
    public var dropped: Int
    /// coldStarts / invocations.
    public var coldStartRatio: Double
    /// Extra execution time of the served invocations caused by cold starts,
    /// Σ cost over cold starts / Σ warm time over served invocations, in percent.
    public var execTimeIncreasePercent: Double
    /// Time-averaged memory held by containers (busy, idle or initialising).
    public var meanWarmMemoryMB: Double

    /// Misses a policy cannot avoid counting as such: (cold + dropped) / invocations.
    public var missRatio: Double { invocations == 0 ? 0 : Double(coldStarts + dropped) / Double(invocations) }
}

/// Anything that consumes the arrival stream minute by minute.
public protocol ArrivalConsumer: AnyObject {
    func consume(_ batch: ArrivalBatch)
    func finish(traceSeconds: Double) -> [SimulationResult]
}

/// Replays arrivals through a `KeepAlivePool`, concurrency-aware: each
/// invocation holds its container for its warm time (plus the cold-start cost
/// when cold); a request that finds no idle container and cannot make room
/// because every other container is busy is dropped.
public struct Simulation<P: KeepAlivePolicy> {
    public var pool: KeepAlivePool<P>
    @usableFromInline var completions = TimedEventHeap()     // a: container
    @usableFromInline let warm: [Double]
    @usableFromInline let cost: [Double]
    @usableFromInline var _invocations = 0
    @usableFromInline var _coldStarts = 0
    @usableFromInline var _warmStarts = 0
    @usableFromInline var _dropped = 0
    @usableFromInline var servedWarmSeconds = 0.0
    @usableFromInline var coldOverheadSeconds = 0.0
    public var invocations: Int { _invocations }
    public var coldStarts: Int { _coldStarts }
    public var warmStarts: Int { _warmStarts }
    public var dropped: Int { _dropped }

    public init(policy: P, memoryMB: Double, functions: [TraceFunction]) {
        pool = KeepAlivePool(capacityMB: memoryMB, policy: policy, functions: functions.map(\.spec))
        warm = functions.map(\.warmSeconds)
        cost = functions.map(\.spec.coldStartSeconds)
    }

    /// Runs every completion, idle deadline and pre-warm due at or before `t`, in time order.
    @inlinable
    public mutating func drain(upTo t: Double) {
        while true {
            let c = completions.topTime
            let e = pool.nextEventTime()
            if c <= e {
                if c > t { return }
                let ev = completions.pop()!
                pool.recordEnd(Int(ev.a), now: ev.time)
            } else {
                if e > t { return }
                if let s = pool.processNextEvent() {
                    let f = pool.function(of: s.container)
                    completions.push(.init(time: s.time + cost[f], a: Int32(s.container), b: 0))
                }
            }
        }
    }

    @inlinable
    public mutating func arrive(_ f: Int, at t: Double) {
        drain(upTo: t)
        _invocations += 1
        switch pool.invoke(f, now: t) {
        case .warm(let c):
            _warmStarts += 1
            servedWarmSeconds += warm[f]
            completions.push(.init(time: t + warm[f], a: Int32(c), b: 0))
        case .cold(let c, _):
            _coldStarts += 1
            servedWarmSeconds += warm[f]
            coldOverheadSeconds += cost[f]
            completions.push(.init(time: t + warm[f] + cost[f], a: Int32(c), b: 0))
        case .dropped:
            _dropped += 1
        }
    }

    public mutating func result(traceSeconds: Double) -> SimulationResult {
        drain(upTo: traceSeconds)
        pool.noteTime(traceSeconds)
        let inv = Double(max(invocations, 1))
        return SimulationResult(
            policy: pool.policy.name, memoryMB: pool.capacityMB, invocations: invocations,
            coldStarts: coldStarts, warmStarts: warmStarts, dropped: dropped,
            coldStartRatio: Double(coldStarts) / inv,
            execTimeIncreasePercent: servedWarmSeconds > 0 ? 100 * coldOverheadSeconds / servedWarmSeconds : 0,
            meanWarmMemoryMB: traceSeconds > 0 ? pool.memoryTimeKBs / 1024 / traceSeconds : 0)
    }
}

/// Boxes a specialised `Simulation` so that many (policy, memory) runs share
/// one pass over the trace; the dynamic call is per minute, not per event.
public final class SimulationRunner<P: KeepAlivePolicy>: ArrivalConsumer {
    public var sim: Simulation<P>
    public init(_ sim: Simulation<P>) { self.sim = sim }
    public func consume(_ batch: ArrivalBatch) {
        batch.times.withUnsafeBufferPointer { ts in
            batch.functions.withUnsafeBufferPointer { fs in
                for i in 0..<ts.count { sim.arrive(Int(fs[i]), at: ts[i]) }
            }
        }
    }
    public func finish(traceSeconds: Double) -> [SimulationResult] { [sim.result(traceSeconds: traceSeconds)] }
}

/// The policies the simulator knows, by command-line name.
public enum PolicyCatalog {
    public static let all = ["gdsf", "ttl", "lru", "lnd", "freq", "size", "hist", "ours", "ours-nopw", "bound"]
    public static let defaultSet = ["gdsf", "ttl", "lru", "lnd", "hist", "ours", "bound"]

    /// A consumer for one policy at one memory size, or nil for an unknown name
    /// (`bound` is built separately, once for all memory sizes).
    public static func runner(_ name: String, memoryMB: Double, functions: [TraceFunction]) -> ArrivalConsumer? {
        func make<P: KeepAlivePolicy>(_ p: P) -> ArrivalConsumer {
            SimulationRunner(Simulation(policy: p, memoryMB: memoryMB, functions: functions))
        }
        switch name.lowercased() {
        case "gdsf": return make(GDSFPolicy())
        case "ttl": return make(TTLPolicy())
        case "lru": return make(LRUPolicy())
        case "lnd", "landlord": return make(LandlordPolicy())
        case "freq": return make(FrequencyPolicy())
        case "size": return make(SizePolicy())
        case "hist": return make(HybridHistogramPolicy())
        case "ours", "gd-iat": return make(InterArrivalGDPolicy(prewarm: true))
        case "ours-nopw", "gd-iat-nopw": return make(InterArrivalGDPolicy(prewarm: false))
        default: return nil
        }
    }
}

/// Replays a trace once through every consumer.
public struct Replayer {
    public var progress: ((Int, Int, Int) -> Void)?   // (minute, minutes, invocations so far)
    public init(progress: ((Int, Int, Int) -> Void)? = nil) { self.progress = progress }

    @discardableResult
    public func run(_ trace: AzureTrace2019, consumers: [ArrivalConsumer]) throws -> Int {
        let stream = try trace.stream()
        var batch = ArrivalBatch()
        var total = 0
        while stream.next(into: &batch) {
            total += batch.count
            for c in consumers { c.consume(batch) }
            progress?(batch.minuteIndex + 1, trace.minutes, total)
        }
        return total
    }
}
