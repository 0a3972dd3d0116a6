/// GD-IAT, our own policy: Greedy-Dual ranked by an *inter-arrival estimate*
/// instead of a frequency count, plus pre-warming of periodic functions.
///
/// Idea. Keeping a container costs its size × the time until it is used again,
/// and using it saves its cold-start cost. The expected value per MB·second is
/// therefore cost / (size × expected gap). GDSF approximates 1/gap with a count
/// (freq) that restarts from zero whenever the function loses its last container,
/// so a function that is evicted comes back ranked as if it were new. GD-IAT keeps
/// a per-function exponentially weighted mean and variance of the inter-arrival
/// time, which survive eviction:
///
///     priority = clock + cost / (size × max(meanGap, minGap))
///
/// with the same clock as GDSF (raised to the largest evicted priority).
///
/// Pre-warming (optional). When the last container of a function whose gaps are
/// regular (CV below `periodicCV`) is evicted or expires, and its next arrival is
/// predicted at lastArrival + meanGap, a container is pre-warmed at
/// predicted − cost − 10% of meanGap. The pool admits a pre-warm only into free
/// memory or by evicting idle containers of *lower* priority. At most one pre-warm
/// per predicted arrival.
public struct InterArrivalGDPolicy: KeepAlivePolicy, Sendable {
    public var name: String { prewarm ? "GD-IAT" : "GD-IAT-noPW" }
    public let prewarm: Bool
    public let alpha: Double
    public let defaultGap: Double
    public let minGap: Double
    public let periodicCV: Double
    public private(set) var clock: Double = 0

    @usableFromInline var meanGap: [Double] = []
    @usableFromInline var varGap: [Double] = []
    @usableFromInline var samples: [Int32] = []
    @usableFromInline var lastArrival: [Double] = []
    @usableFromInline var prewarmedFor: [Double] = []

    /// - alpha: EWMA weight of the newest gap. - defaultGap: assumed gap before
    ///   the second arrival (the TTL horizon, 10 min). - minGap: floor on the gap.
    public init(prewarm: Bool = true, alpha: Double = 0.25, defaultGap: Double = 600,
                minGap: Double = 0.001, periodicCV: Double = 0.5) {
        self.prewarm = prewarm
        self.alpha = alpha
        self.defaultGap = defaultGap
        self.minGap = minGap
        self.periodicCV = periodicCV
    }

    @inline(__always) mutating func ensure(_ f: FunctionID) {
        if f >= meanGap.count {
            let n = f + 1 - meanGap.count
            meanGap.append(contentsOf: repeatElement(.nan, count: n))
            varGap.append(contentsOf: repeatElement(0, count: n))
            samples.append(contentsOf: repeatElement(0, count: n))
            lastArrival.append(contentsOf: repeatElement(.nan, count: n))
            prewarmedFor.append(contentsOf: repeatElement(.nan, count: n))
        }
    }

    /// The current gap estimate of `f` in seconds.
    public func expectedGap(_ f: FunctionID) -> Double {
        guard f < meanGap.count, !meanGap[f].isNaN else { return defaultGap }
        return meanGap[f]
    }

    public mutating func recordArrival(of f: FunctionID, now: Double, sinceLastArrival: Double?, idleTime: Double?) {
        ensure(f)
        lastArrival[f] = now
        guard let g = sinceLastArrival else { return }
        if meanGap[f].isNaN {
            meanGap[f] = g
            varGap[f] = 0
        } else {
            let d = g - meanGap[f]
            meanGap[f] += alpha * d
            varGap[f] = (1 - alpha) * (varGap[f] + alpha * d * d)
        }
        samples[f] &+= 1
    }

    @inlinable
    public mutating func priority(of f: FunctionID, freq: Int, spec: FunctionSpec, now: Double) -> Double {
        let gap = Swift.max(expectedGap(f), minGap)
        return clock + spec.coldStartSeconds / (positiveSize(spec.memoryMB) * gap)
    }

    public mutating func didEvict(maxPriority: Double) {
        if maxPriority > clock { clock = maxPriority }
    }

    public mutating func functionGone(_ f: FunctionID, spec: FunctionSpec, now: Double, reason: RemovalReason) -> Double? {
        guard prewarm else { return nil }
        ensure(f)
        let mean = meanGap[f], last = lastArrival[f]
        guard !mean.isNaN, samples[f] >= 3, mean > 0 else { return nil }
        let cv = varGap[f].squareRoot() / mean
        guard cv < periodicCV else { return nil }
        guard prewarmedFor[f] != last else { return nil }      // one pre-warm per gap
        let predicted = last + mean
        guard predicted > now else { return nil }
        prewarmedFor[f] = last
        return Swift.max(now, predicted - spec.coldStartSeconds - 0.1 * mean)
    }

}
