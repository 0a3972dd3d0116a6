import KeepAlive

/// A lower bound on misses (cold starts + drops) for a given memory size:
/// PFOO-L of Berger, Beckmann & Harchol-Balter, "Practical Bounds on Optimal
/// Caching with Variable Object Sizes" (SIGMETRICS'18), adapted to keep-alive.
///
/// PFOO-L relaxes caching to a budget on *resource use*: every reuse interval
/// of an object costs size × interval length, and the cache offers capacity ×
/// trace length of it. Taking intervals cheapest first maximises the number of
/// hits that fit the budget, and no real policy can do better.
///
/// Adaptation to keep-alive. A warm start of invocation i (function f, start
/// s_i) needs an idle container of f, which became free when an earlier
/// invocation j of f ended and stayed loaded until s_i. It therefore costs at
/// least size_f × gap_i, where gap_i = s_i − (the latest possible end ≤ s_i of
/// any earlier invocation of f). An end is s_j + warm_f or, if j was a cold
/// start, s_j + warm_f + cost_f; we take the later of the two that is still ≤
/// s_i, so gap_i never exceeds the true idle interval whatever the policy did.
/// If no earlier invocation can have ended by s_i, i is a forced miss. The
/// idle intervals of different hits are disjoint in (container, time), and
/// busy containers use memory too, so Σ_hits size × gap ≤ memory × trace length.
/// Counting the cheapest intervals as hits until that budget is exceeded gives
/// an upper bound on warm starts, hence a lower bound on misses.
///
/// Scope: the bound is for *reactive* policies. A pre-warmed container is not
/// created by an earlier end, so policies that pre-warm (HIST, GD-IAT) may go
/// below it.
///
/// Memory: one Double per invocation (the weights), sorted once at the end.
public final class PFOOLowerBound: ArrivalConsumer {
    let memoriesMB: [Double]
    let size: [Double], warm: [Double], cost: [Double]
    var weights: [Double] = []
    var invocations = 0
    var forced = 0
    // per function: recent starts, with two read heads (warm end, cold end)
    var starts: [[Double]]
    var headWarm: [Int], headCold: [Int]
    var latestWarmEnd: [Double], latestColdEnd: [Double]

    public init(functions: [TraceFunction], memoriesMB: [Double]) {
        self.memoriesMB = memoriesMB
        size = functions.map(\.spec.memoryMB)
        warm = functions.map(\.warmSeconds)
        cost = functions.map(\.spec.coldStartSeconds)
        let n = functions.count
        starts = Array(repeating: [], count: n)
        headWarm = Array(repeating: 0, count: n)
        headCold = Array(repeating: 0, count: n)
        latestWarmEnd = Array(repeating: -.infinity, count: n)
        latestColdEnd = Array(repeating: -.infinity, count: n)
    }

    /// Adds one arrival (in time order).
    public func add(_ f: Int, at s: Double) {
        invocations += 1
        let d = warm[f], c = cost[f]
        // advance the read heads over starts whose warm / cold end is ≤ s
        while headWarm[f] < starts[f].count, starts[f][headWarm[f]] + d <= s {
            latestWarmEnd[f] = starts[f][headWarm[f]] + d; headWarm[f] += 1
        }
        while headCold[f] < starts[f].count, starts[f][headCold[f]] + d + c <= s {
            latestColdEnd[f] = starts[f][headCold[f]] + d + c; headCold[f] += 1
        }
        if headCold[f] > 64 && headCold[f] * 2 > starts[f].count {   // compact (heads only move forward)
            let k = min(headCold[f], headWarm[f])
            starts[f].removeFirst(k); headCold[f] -= k; headWarm[f] -= k
        }
        starts[f].append(s)
        let latest = max(latestWarmEnd[f], latestColdEnd[f])
        if latest == -.infinity { forced += 1; return }
        weights.append(size[f] * (s - latest))
    }

    public func consume(_ batch: ArrivalBatch) {
        for i in 0..<batch.count { add(Int(batch.functions[i]), at: batch.times[i]) }
    }

    /// Lower bounds on misses for each memory size.
    public func missBounds(traceSeconds: Double) -> [Int] {
        weights.sort()
        var prefix = [Double](); prefix.reserveCapacity(weights.count)
        var acc = 0.0
        for w in weights { acc += w; prefix.append(acc) }
        return memoriesMB.map { m in
            let budget = m * traceSeconds
            // number of cheapest intervals whose summed weight stays within the budget
            var lo = 0, hi = prefix.count
            while lo < hi { let mid = (lo + hi) / 2; if prefix[mid] <= budget { lo = mid + 1 } else { hi = mid } }
            return invocations - lo
        }
    }

    public func finish(traceSeconds: Double) -> [SimulationResult] {
        let misses = missBounds(traceSeconds: traceSeconds)
        let inv = Double(max(invocations, 1))
        return zip(memoriesMB, misses).map { m, miss in
            SimulationResult(policy: "bound", memoryMB: m, invocations: invocations, coldStarts: miss,
                             warmStarts: invocations - miss, dropped: 0, coldStartRatio: Double(miss) / inv,
                             execTimeIncreasePercent: .nan, meanWarmMemoryMB: m)
        }
    }
}
