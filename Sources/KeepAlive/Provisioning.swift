/// Dynamic provisioning as in FaasCache (§ "dynamic cache size"): a
/// proportional controller on the *miss speed* (cold starts per second over
/// the last control interval).
///
///     error   = observed miss speed − target miss speed
///     if |error| ≤ deadband × target: keep the size        (the deadband)
///     else    size ← clamp(size + gain × error, min, max)
///
/// Too many misses grow the memory; too few shrink it and free memory for
/// other uses. The deadband stops the size from oscillating around the target.
public struct MissSpeedController: Sendable, Equatable {
    public var targetMissesPerSecond: Double
    /// MB added per (miss/s) of error.
    public var gainMBPerMissPerSecond: Double
    /// Relative band around the target inside which nothing changes (e.g. 0.1 = ±10%).
    public var deadband: Double
    public var minMB: Double
    public var maxMB: Double
    public private(set) var sizeMB: Double

    public init(initialMB: Double, targetMissesPerSecond: Double, gainMBPerMissPerSecond: Double,
                deadband: Double = 0.1, minMB: Double = 0, maxMB: Double = .infinity) {
        self.sizeMB = min(max(initialMB, minMB), maxMB)
        self.targetMissesPerSecond = targetMissesPerSecond
        self.gainMBPerMissPerSecond = gainMBPerMissPerSecond
        self.deadband = deadband
        self.minMB = minMB
        self.maxMB = maxMB
    }

    /// Feeds one control interval (`misses` cold starts in `seconds`); returns the new size.
    @discardableResult
    public mutating func update(misses: Int, seconds: Double) -> Double {
        guard seconds > 0 else { return sizeMB }
        let speed = Double(misses) / seconds
        let error = speed - targetMissesPerSecond
        if abs(error) <= deadband * targetMissesPerSecond { return sizeMB }
        sizeMB = min(max(sizeMB + gainMBPerMissPerSecond * error, minMB), maxMB)
        return sizeMB
    }
}
