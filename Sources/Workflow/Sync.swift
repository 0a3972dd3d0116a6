// pthread-based primitives. Lanes are plain host-owned threads, so the synchronisation
// around them is too (no Swift concurrency runtime, no executor hops).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A mutex with a condition variable.
public final class Monitor: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        pthread_mutex_init(mutex, nil)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(cond, &attr)
        pthread_condattr_destroy(&attr)
    }
    deinit {
        pthread_cond_destroy(cond); pthread_mutex_destroy(mutex)
        cond.deallocate(); mutex.deallocate()
    }

    @inline(__always) public func lock() { pthread_mutex_lock(mutex) }
    @inline(__always) public func unlock() { pthread_mutex_unlock(mutex) }
    public func withLock<R>(_ body: () throws -> R) rethrows -> R { lock(); defer { unlock() }; return try body() }
    public func broadcast() { pthread_cond_broadcast(cond) }
    public func signal() { pthread_cond_signal(cond) }
    /// Waits (lock held). Returns false when `deadline` (monotonic ns) passed.
    @discardableResult
    public func wait(until deadline: UInt64? = nil) -> Bool {
        guard let deadline else { pthread_cond_wait(cond, mutex); return true }
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        return pthread_cond_timedwait(cond, mutex, &ts) != ETIMEDOUT
    }
}

/// Monotonic clock in nanoseconds.
@inline(__always) public func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// A value produced once by one thread and awaited by another.
final class Completion<T>: @unchecked Sendable {
    private let m = Monitor()
    private var value: T?
    func fulfill(_ v: T) { m.withLock { value = v; m.broadcast() } }
    /// `nil` when the deadline passed first.
    func wait(until deadline: UInt64?) -> T? {
        m.lock(); defer { m.unlock() }
        while value == nil { if !m.wait(until: deadline) { return value } }
        return value
    }
}

/// A flag set once; checked by running states and functions (cooperative cancellation).
public final class CancellationFlag: @unchecked Sendable {
    private let m = Monitor()
    private var set = false
    private let parent: CancellationFlag?
    public init(parent: CancellationFlag? = nil) { self.parent = parent }
    public var isCancelled: Bool { m.withLock { set } || (parent?.isCancelled ?? false) }
    public func cancel() { m.withLock { set = true; m.broadcast() } }
    /// Sleeps until `deadline` (monotonic ns) or cancellation. Returns false if cancelled.
    public func sleep(until deadline: UInt64) -> Bool {
        while true {
            if isCancelled { return false }
            let now = monotonicNanos()
            if now >= deadline { return true }
            // Wake at least every 50 ms to notice a parent's cancellation.
            let slice = min(deadline, now + 50_000_000)
            m.withLock { if !set { m.wait(until: slice) } }
        }
    }
}
