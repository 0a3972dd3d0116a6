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
    @usableFromInline var total: [UInt32] = []       // in-range samples per function
    @usableFromInline var outOfRange: [UInt32] = []
    @usableFromInline var sumSquares: [Double] = []  // Σ count² over bins, kept incrementally
    @usableFromInline var pendingPrewarm: [Double] = []
    @usableFromInline var pendingKeepUntil: [Double] = []

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

    mutating func ensure(_ f: FunctionID) {
        if f >= total.count {
            let n = f + 1 - total.count
            counts.append(contentsOf: repeatElement(0, count: n * bins))
            fenwick.append(contentsOf: repeatElement(0, count: n * fenwickSize))
            total.append(contentsOf: repeatElement(0, count: n))
            outOfRange.append(contentsOf: repeatElement(0, count: n))
            sumSquares.append(contentsOf: repeatElement(0, count: n))
            pendingPrewarm.append(contentsOf: repeatElement(.nan, count: n))
            pendingKeepUntil.append(contentsOf: repeatElement(.nan, count: n))
        }
    }

    public mutating func recordArrival(of f: FunctionID, now: Double, sinceLastArrival: Double?, idleTime: Double?) {
        ensure(f)
        guard let it = idleTime else { return }
        let b = Int(it / binSeconds)
        if b < bins {
            let i = f * bins + b
            let c = Double(counts[i])
            sumSquares[f] += 2 * c + 1
            counts[i] += 1
            total[f] += 1
            var j = b + 1
            let base = f * fenwickSize
            while j <= fenwickSize { fenwick[base + j - 1] += 1; j += j & -j }
        } else {
            outOfRange[f] += 1
        }
    }

    /// Coefficient of variation of the bin counts of `f`.
    public func binCV(_ f: FunctionID) -> Double {
        guard f < total.count, total[f] > 0 else { return 0 }
        let n = Double(bins)
        let mean = Double(total[f]) / n
        let variance = max(0, sumSquares[f] / n - mean * mean)
        return variance.squareRoot() / mean
    }

    /// The windows HIST uses for `f` right now, in seconds from the end of an
    /// invocation: (pre-warm, keep-alive end, representative?).
    public func windows(_ f: FunctionID) -> (prewarm: Double, keepAliveEnd: Double, representative: Bool) {
        let range = Double(bins) * binSeconds
        guard f < total.count, Int(total[f]) >= minSamples, binCV(f) >= cvThreshold else {
            return (0, range, false)
        }
        let n = Double(total[f])
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
    @usableFromInline func firstBin(_ f: FunctionID, reaching target: UInt32) -> Int {
        let base = f * fenwickSize
        var pos = 0, remaining = target, step = fenwickSize
        while step > 0 {
            if pos + step <= fenwickSize && fenwick[base + pos + step - 1] < remaining {
                pos += step
                remaining -= fenwick[base + pos - 1]
            }
            step >>= 1
        }
        return pos
    }

    @inlinable
    public mutating func priority(of f: FunctionID, freq: Int, spec: FunctionSpec, now: Double) -> Double { now }

    public mutating func idleWindow(of f: FunctionID, now: Double, prewarmed: Bool) -> IdleWindow {
        ensure(f)
        if prewarmed {
            let until = pendingKeepUntil[f]
            return IdleWindow(expiresAt: until.isNaN ? now : max(now, until))
        }
        let w = windows(f)
        if w.prewarm > 0 {
            pendingPrewarm[f] = now + w.prewarm
            pendingKeepUntil[f] = now + w.keepAliveEnd
            return IdleWindow(expiresAt: now)       // unload now, pre-warm later
        }
        pendingPrewarm[f] = .nan
        return IdleWindow(expiresAt: now + w.keepAliveEnd)
    }

    public mutating func functionGone(_ f: FunctionID, spec: FunctionSpec, now: Double, reason: RemovalReason) -> Double? {
        ensure(f)
        let p = pendingPrewarm[f]
        pendingPrewarm[f] = .nan
        return p.isNaN || p < now ? nil : p
    }
}
