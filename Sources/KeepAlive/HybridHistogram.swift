/// HIST: the hybrid histogram policy of Shahrad et al., "Serverless in the
/// Wild" (USENIX ATC'20), per function.
///
/// - Idle times (end of one invocation to the start of the next) go into a
///   histogram of 1-minute bins covering 4 hours.
/// - The histogram is *representative* when it has at least `minSamples`
///   in-range idle times and the coefficient of variation of its bin counts is
///   at least `cvThreshold` (the idle times are concentrated, not spread out).
/// - Then: pre-warm window = 5th percentile minus a 10% margin; keep-alive
///   until the 99th percentile plus a 10% margin (both measured from the end
///   of the invocation). A pre-warm window of zero keeps the container loaded
///   right away; otherwise it is unloaded at once and pre-warmed when the
///   window ends.
/// - Otherwise: a long fixed keep-alive of the histogram's range (4 hours).
///   (The paper falls back to ARIMA for functions whose idle times are mostly
///   out of range; on our 8-hour slices we use the fixed keep-alive instead.)
/// - When memory is short, idle containers are evicted LRU.
public struct HybridHistogramPolicy: KeepAlivePolicy, Sendable {
    public var name: String { "HIST" }

    public let binSeconds: Double
    public let bins: Int
    public let headPercentile: Double
    public let tailPercentile: Double
    public let margin: Double
    public let cvThreshold: Double
    public let minSamples: Int

    @usableFromInline var counts: [UInt32] = []      // bins per function, flattened
    /// Per function, a Fenwick tree over the bins (`fenwickSize` slots): the percentile
    /// windows are then O(log bins) per decision instead of a scan of all 240 bins.
    @usableFromInline var fenwick: [UInt32] = []
    @usableFromInline let fenwickSize: Int
    /// The per-function scalars in one array: every write to a separate array paid its
    /// own uniqueness check, several per invocation.
    @usableFromInline var stats: [FunctionStats] = []

    @usableFromInline struct FunctionStats: Sendable {
        @usableFromInline var total: UInt32 = 0          // in-range samples
        @usableFromInline var outOfRange: UInt32 = 0
        @usableFromInline var sumSquares: Double = 0     // Σ count² over bins, kept incrementally
        @usableFromInline var pendingPrewarm: Double = .nan
        @usableFromInline var pendingKeepUntil: Double = .nan
        @inlinable init() {}
    }

    public init(binSeconds: Double = 60, rangeSeconds: Double = 4 * 3600,
                headPercentile: Double = 0.05, tailPercentile: Double = 0.99,
                margin: Double = 0.10, cvThreshold: Double = 2, minSamples: Int = 5) {
        self.binSeconds = binSeconds
        self.bins = Int((rangeSeconds / binSeconds).rounded())
        var size = 1
        while size < bins { size <<= 1 }
        self.fenwickSize = size
        self.headPercentile = headPercentile
        self.tailPercentile = tailPercentile
        self.margin = margin
        self.cvThreshold = cvThreshold
        self.minSamples = minSamples
    }

    @inline(__always) mutating func ensure(_ f: FunctionID) {
        if f >= stats.count { grow(to: f + 1) }
    }

    @inline(never) mutating func grow(to n: Int) {
        let more = n - stats.count
        counts.append(contentsOf: repeatElement(0, count: more * bins))
        fenwick.append(contentsOf: repeatElement(0, count: more * fenwickSize))
        stats.append(contentsOf: repeatElement(FunctionStats(), count: more))
    }

    public mutating func recordArrival(of f: FunctionID, now: Double, sinceLastArrival: Double?, idleTime: Double?) {
        ensure(f)
        guard let it = idleTime else { return }
        let b = Int(it / binSeconds)
        if b < bins {
            let i = f * bins + b
            let c = Double(counts[i])
            counts[i] += 1
            stats[f].sumSquares += 2 * c + 1
            stats[f].total += 1
            var j = b + 1
            let base = f * fenwickSize
            while j <= fenwickSize { fenwick[base + j - 1] &+= 1; j &+= j & -j }
        } else {
            stats[f].outOfRange += 1
        }
    }

    /// Coefficient of variation of the bin counts of `f`.
    public func binCV(_ f: FunctionID) -> Double {
        f < stats.count ? binCV(stats[f]) : 0
    }

    @inline(__always) func binCV(_ s: FunctionStats) -> Double {
        guard s.total > 0 else { return 0 }
        let n = Double(bins)
        let mean = Double(s.total) / n
        let variance = max(0, s.sumSquares / n - mean * mean)
        return variance.squareRoot() / mean
    }

    /// The windows HIST uses for `f` right now, in seconds from the end of an
    /// invocation: (pre-warm, keep-alive end, representative?).
    public func windows(_ f: FunctionID) -> (prewarm: Double, keepAliveEnd: Double, representative: Bool) {
        let range = Double(bins) * binSeconds
        guard f < stats.count else { return (0, range, false) }
        let s = stats[f]
        guard Int(s.total) >= minSamples, binCV(s) >= cvThreshold else { return (0, range, false) }
        let n = Double(s.total)
        // Counts are integers, so "cumulative count >= x" is "cumulative count >= ceil(x)".
        let headTarget = max(1, UInt32((headPercentile * n).rounded(.up)))
        let tailTarget = UInt32((tailPercentile * n).rounded(.up))
        var head = firstBin(f, reaching: headTarget)
        if head >= bins { head = 0 }
        var tail = firstBin(f, reaching: tailTarget)
        if tail >= bins { tail = bins - 1 }
        let prewarm = Double(head) * binSeconds * (1 - margin)
        let keepEnd = Double(tail + 1) * binSeconds * (1 + margin)
        return (prewarm, keepEnd, true)
    }

    /// The first bin whose cumulative count reaches `target` (`fenwickSize` if none does).
    @inline(__always) func firstBin(_ f: FunctionID, reaching target: UInt32) -> Int {
        let base = f * fenwickSize
        // The root slot holds the in-range total: if even that is short, no bin reaches it.
        if fenwick[base + fenwickSize - 1] < target { return fenwickSize }
        var pos = 0, remaining = target, step = fenwickSize >> 1
        while step > 0 {
            // Whether to step right is a coin flip to the branch predictor; as selects
            // (no branch) the descent costs no mispredictions.
            let v = fenwick[base + pos + step - 1]
            let right = v < remaining
            pos += right ? step : 0
            remaining -= right ? v : 0
            step >>= 1
        }
        return pos
    }

    @inlinable
    public mutating func priority(of f: FunctionID, freq: Int, spec: FunctionSpec, now: Double) -> Double { now }

    public mutating func idleWindow(of f: FunctionID, now: Double, prewarmed: Bool) -> IdleWindow {
        ensure(f)
        if prewarmed {
            let until = stats[f].pendingKeepUntil
            return IdleWindow(expiresAt: until.isNaN ? now : max(now, until))
        }
        let w = windows(f)
        if w.prewarm > 0 {
            stats[f].pendingPrewarm = now + w.prewarm
            stats[f].pendingKeepUntil = now + w.keepAliveEnd
            return IdleWindow(expiresAt: now)       // unload now, pre-warm later
        }
        stats[f].pendingPrewarm = .nan
        return IdleWindow(expiresAt: now + w.keepAliveEnd)
    }

    public mutating func functionGone(_ f: FunctionID, spec: FunctionSpec, now: Double, reason: RemovalReason) -> Double? {
        ensure(f)
        let p = stats[f].pendingPrewarm
        stats[f].pendingPrewarm = .nan
        return p.isNaN || p < now ? nil : p
    }
}
