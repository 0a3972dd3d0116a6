/// Greedy-Dual-Size-Frequency exactly as FaasCache (Fuerst & Sharma, ASPLOS'21) defines it:
///
///     priority = clock + freq × cost / size
///
/// - freq: invocations of the function across all its containers; the pool
///   resets it to 0 only when the function's last container is gone.
/// - cost: the cold-start (initialisation) time; size: the container's memory.
/// - The lowest priority is evicted first; after an eviction the clock rises to
///   the largest priority among the evicted containers.
/// The priority is (re)computed when a container is used, as in GreedyDual.
public struct GDSFPolicy: KeepAlivePolicy, Sendable {
    public var name: String { "GDSF" }
    public private(set) var clock: Double = 0
    public init() {}

    @inlinable
    public mutating func priority(of f: FunctionID, freq: Int, spec: FunctionSpec, now: Double) -> Double {
        clock + Double(freq) * spec.coldStartSeconds / positiveSize(spec.memoryMB)
    }

    public mutating func didEvict(maxPriority: Double) {
        if maxPriority > clock { clock = maxPriority }
    }
}

/// Landlord (LND) in FaasCache's comparison. With rent charged in proportion
/// to size and credit reset to the cost on every hit, Landlord is GreedyDual-Size:
/// priority = clock + cost / size (GDSF without the frequency term).
public struct LandlordPolicy: KeepAlivePolicy, Sendable {
    public var name: String { "LND" }
    public private(set) var clock: Double = 0
    public init() {}

    @inlinable
    public mutating func priority(of f: FunctionID, freq: Int, spec: FunctionSpec, now: Double) -> Double {
        clock + spec.coldStartSeconds / positiveSize(spec.memoryMB)
    }

    public mutating func didEvict(maxPriority: Double) {
        if maxPriority > clock { clock = maxPriority }
    }
}
