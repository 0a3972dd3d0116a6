// Core value types of the keep-alive engine.
//
// Time is always injected by the caller as seconds (Double) on a monotonic
// timeline; nothing in this module reads a clock.

/// Dense integer id of a function (interned by the caller: 0, 1, 2, ...).
public typealias FunctionID = Int

/// Dense integer id of a container slot inside a `KeepAlivePool`.
/// Slots are reused after a container is removed.
public typealias ContainerID = Int

/// What the engine needs to know about a function.
public struct FunctionSpec: Sendable, Equatable {
    /// Memory footprint of one container, in MB ("size" in GDSF).
    public var memoryMB: Double
    /// Initialisation time a cold start pays, in seconds ("cost" in GDSF).
    public var coldStartSeconds: Double

    public init(memoryMB: Double, coldStartSeconds: Double) {
        self.memoryMB = memoryMB
        self.coldStartSeconds = coldStartSeconds
    }
}

/// The result of asking the pool to serve one invocation.
public enum InvocationOutcome: Sendable, Equatable {
    /// An idle container of the function was reused.
    case warm(ContainerID)
    /// A new container was admitted (after evicting `evicted` idle containers).
    case cold(ContainerID, evicted: Int)
    /// Not enough memory could be freed because too many containers are busy
    /// (or the function is larger than the whole pool).
    case dropped

    public var container: ContainerID? {
        switch self {
        case .warm(let c), .cold(let c, _): return c
        case .dropped: return nil
        }
    }
    public var isWarm: Bool { if case .warm = self { return true } else { return false } }
    public var isCold: Bool { if case .cold = self { return true } else { return false } }
}

/// Why a container left the pool.
public enum RemovalReason: Sendable, Equatable {
    case evicted   // chosen as a victim because memory was short
    case expired   // its idle deadline (TTL, HIST keep-alive window) passed
}

/// What a policy decides when a container turns idle.
public struct IdleWindow: Sendable, Equatable {
    /// Absolute time at which the idle container is unloaded (`.infinity`: never).
    public var expiresAt: Double
    public init(expiresAt: Double) { self.expiresAt = expiresAt }
    public static let forever = IdleWindow(expiresAt: .infinity)
}
