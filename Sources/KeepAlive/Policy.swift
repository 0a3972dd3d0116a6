/// The decisions a keep-alive policy makes. `KeepAlivePool` owns the
/// containers and the memory accounting and calls these hooks; a policy only
/// ranks containers (lower priority is evicted first), sets idle deadlines
/// and may ask for pre-warming.
///
/// Policies are value types and deterministic: `now` is always passed in.
public protocol KeepAlivePolicy {
    /// Short name used in reports ("GDSF", "TTL", ...).
    var name: String { get }

    /// Every arrival of `f`, served or dropped, before its priority is computed.
    /// - sinceLastArrival: seconds since the previous arrival of `f` (nil for the first).
    /// - idleTime: seconds since the last invocation of `f` ended (0 while one is running,
    ///   nil if none has ended yet); this is the "idle time" of Shahrad et al.
    mutating func recordArrival(of f: FunctionID, now: Double, sinceLastArrival: Double?, idleTime: Double?)

    /// Priority stored on the container that serves (or is pre-warmed for) `f` now.
    /// `freq` is FaasCache's frequency: invocations of `f` across all of its
    /// containers since it last had none.
    mutating func priority(of f: FunctionID, freq: Int, spec: FunctionSpec, now: Double) -> Double

    /// Containers were just evicted; `maxPriority` is the largest priority among them.
    mutating func didEvict(maxPriority: Double)

    /// A container of `f` turns idle at `now` (`prewarmed`: it finished a pre-warm
    /// initialisation rather than an invocation). Returns when it expires.
    mutating func idleWindow(of f: FunctionID, now: Double, prewarmed: Bool) -> IdleWindow

    /// The last container of `f` is gone. Returns a time at which one should be
    /// pre-warmed, or nil.
    mutating func functionGone(_ f: FunctionID, spec: FunctionSpec, now: Double, reason: RemovalReason) -> Double?
}

extension KeepAlivePolicy {
    public mutating func recordArrival(of f: FunctionID, now: Double, sinceLastArrival: Double?, idleTime: Double?) {}
    public mutating func didEvict(maxPriority: Double) {}
    public mutating func idleWindow(of f: FunctionID, now: Double, prewarmed: Bool) -> IdleWindow { .forever }
    public mutating func functionGone(_ f: FunctionID, spec: FunctionSpec, now: Double, reason: RemovalReason) -> Double? { nil }
}

/// Guards a division by a memory size of zero in the trace.
@inlinable func positiveSize(_ mb: Double) -> Double { mb > 1e-9 ? mb : 1e-9 }
