// Lanes: the threads the host owns. Every function invocation, Parallel branch and Map
// item runs on one of them, never on a Swift Task, so a later protection layer (MPK) can
// bind a domain to the thread for exactly the duration of one function.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A bounded pool of host-owned threads. Threads are created lazily and kept warm.
public final class LanePool: @unchecked Sendable {
    public let maxLanes: Int
    private let m = Monitor()
    private var threads = 0
    private var idle = 0
    private var queue: [() -> Void] = []
    private var queueHead = 0
    /// Work handed to an idle lane by `trySpawn`, which must not wait behind the queue.
    private var direct: [() -> Void] = []
    private var busy = 0
    /// Hook run on the lane thread around each piece of work (the MPK layer binds domains here).
    public var onEnter: (@Sendable (Int) -> Void)?

    public init(maxLanes: Int) { self.maxLanes = max(1, maxLanes) }

    /// Lanes currently running work.
    public var busyLanes: Int { m.withLock { busy } }
    public var threadCount: Int { m.withLock { threads } }

    /// Queues `work`; it runs when a lane is free (top-level invocations).
    public func submit(_ work: @escaping () -> Void) {
        m.lock()
        queue.append(work)
        dispatchLocked()
        m.unlock()
    }

    /// Runs `work` on a lane now if one is free or may be created; false when all are busy.
    /// Callers that get false run the work themselves, which keeps nested fan-out deadlock-free.
    public func trySpawn(_ work: @escaping () -> Void) -> Bool {
        m.lock(); defer { m.unlock() }
        if idle > direct.count {
            direct.append(work)
            m.broadcast()
            return true
        }
        if threads < maxLanes {
            startThreadLocked(first: work)
            return true
        }
        return false
    }

    /// Runs `work` on a lane, creating one beyond the limit if needed (a function under a
    /// deadline must not run on the thread that waits for it).
    public func spawnAlways(_ work: @escaping () -> Void) {
        if trySpawn(work) { return }
        m.lock(); startThreadLocked(first: work); m.unlock()
    }

    private func dispatchLocked() {
        let pending = queue.count - queueHead
        guard pending > 0 else { return }
        if idle > direct.count { m.broadcast(); return }
        if threads < maxLanes { startThreadLocked(first: nil) }
    }

    private func startThreadLocked(first: (() -> Void)?) {
        threads += 1
        if first != nil { busy += 1 }
        let box = Unmanaged.passRetained(LaneStart(pool: self, first: first))
        var tid = pthread_t()
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        pthread_attr_setstacksize(&attr, 8 << 20)
        let rc = pthread_create(&tid, &attr, { raw in
            let start = Unmanaged<LaneStart>.fromOpaque(raw!).takeRetainedValue()
            start.pool.laneMain(first: start.first)
            return nil
        }, box.toOpaque())
        pthread_attr_destroy(&attr)
        if rc != 0 { box.release(); threads -= 1; if first != nil { busy -= 1 }; fatalError("pthread_create failed: \(rc)") }
        pthread_detach(tid)
    }

    private func laneMain(first: (() -> Void)?) {
        let laneID = Int(bitPattern: UInt(pthread_self()))
        if let first { onEnter?(laneID); first() }
        m.lock()
        if first != nil { busy -= 1 }
        while true {
            var work: (() -> Void)?
            if !direct.isEmpty { work = direct.removeFirst() }
            else if queueHead < queue.count {
                work = queue[queueHead]; queueHead += 1
                if queueHead > 64 && queueHead * 2 > queue.count { queue.removeFirst(queueHead); queueHead = 0 }
            }
            if let w = work {
                busy += 1
                m.unlock()
                onEnter?(laneID)
                w()
                m.lock()
                busy -= 1
                continue
            }
            idle += 1
            m.wait()
            idle -= 1
        }
    }
}

private final class LaneStart {
    let pool: LanePool
    let first: (() -> Void)?
    init(pool: LanePool, first: (() -> Void)?) { self.pool = pool; self.first = first }
}

extension LanePool {
    /// Runs `count` jobs with at most `limit` at a time: the calling thread works too and
    /// other lanes join when free. Returns when every job has finished.
    func forEachConcurrently(_ count: Int, limit: Int, _ job: @escaping (Int) -> Void) {
        guard count > 0 else { return }
        let m = Monitor()
        var next = 0
        var running = 0
        let worker: () -> Void = {
            while true {
                m.lock()
                guard next < count else { m.unlock(); break }
                let i = next; next += 1
                m.unlock()
                job(i)
            }
            m.withLock { running -= 1; m.broadcast() }
        }
        let helpers = min(count, max(1, limit)) - 1
        var started = 0
        while started < helpers {
            m.withLock { running += 1 }
            if !trySpawn(worker) { m.withLock { running -= 1 }; break }
            started += 1
        }
        m.withLock { running += 1 }
        worker()
        m.lock()
        while running > 0 { m.wait() }
        m.unlock()
    }
}
