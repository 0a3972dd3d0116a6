/// Least-recently-used: priority is the time of the container's last use.
/// Containers are kept until memory is short.
public struct LRUPolicy: KeepAlivePolicy, Sendable {
    public var name: String { "LRU" }
    public init() {}
    @inlinable
    public mutating func priority(of f: FunctionID, freq: Int, spec: FunctionSpec, now: Double) -> Double { now }
}

/// OpenWhisk's default: an idle container is unloaded after a fixed TTL
/// (10 minutes); when memory is full the least recently used idle container goes.
public struct TTLPolicy: KeepAlivePolicy, Sendable {
    public var name: String { "TTL" }
    public var ttl: Double
    public init(ttlSeconds: Double = 600) { self.ttl = ttlSeconds }
    @inlinable
    public mutating func priority(of f: FunctionID, freq: Int, spec: FunctionSpec, now: Double) -> Double { now }
    public mutating func idleWindow(of f: FunctionID, now: Double, prewarmed: Bool) -> IdleWindow {
        IdleWindow(expiresAt: now + ttl)
    }
}

/// FREQ: evict the containers of the least frequently invoked function first
/// (FaasCache's freq, reset when the function has no container); ties go LRU.
public struct FrequencyPolicy: KeepAlivePolicy, Sendable {
    public var name: String { "FREQ" }
    public init() {}
    @inlinable
    public mutating func priority(of f: FunctionID, freq: Int, spec: FunctionSpec, now: Double) -> Double { Double(freq) }
}

/// SIZE: evict the largest containers first; ties go LRU.
public struct SizePolicy: KeepAlivePolicy, Sendable {
    public var name: String { "SIZE" }
    public init() {}
    @inlinable
    public mutating func priority(of f: FunctionID, freq: Int, spec: FunctionSpec, now: Double) -> Double {
        1.0 / positiveSize(spec.memoryMB)
    }
}
