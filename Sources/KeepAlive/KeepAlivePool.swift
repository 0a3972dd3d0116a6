/// The container pool the shim drives and the simulator replays: it owns the
/// containers of every function, the memory accounting and the idle-container
/// priority queue, and asks a `KeepAlivePolicy` for the decisions.
///
/// The calls the shim makes:
/// - `invoke(_:now:)`: serve an invocation. Reuses an idle container of the
///   function (warm), or admits a new one (cold) after choosing victims among
///   idle containers, or reports `.dropped` when not enough memory can be freed
///   because the rest is busy. A function busy in all its containers gets a new
///   one: a cold start. Busy containers are never evicted.
///   The lower-level steps are public too: `idleContainer(of:)`, `canAdmit`,
///   `chooseVictims(toFree:now:)`, `admit(_:now:)`.
/// - `recordEnd(_:now:)`: an invocation (or a pre-warm initialisation) finished.
/// - `nextEventTime()` / `processNextEvent()` / `expire(upTo:)`: idle deadlines
///   (TTL, HIST) and pre-warm requests, in time order.
///
/// Containers removed by the pool are appended to `removalLog` when
/// `logRemovals` is set, so a live caller can stop them.
/// Memory is accounted in KiB integers, so sums never drift.
/// Every operation is O(log n) in the number of idle containers.
public struct KeepAlivePool<Policy: KeepAlivePolicy> {
    public enum State: UInt8 { case free = 0, busy, idle, initialising }

    public var policy: Policy
    @usableFromInline var _capacityKB: Int
    public var capacityKB: Int { _capacityKB }
    @usableFromInline var _usedKB = 0
    @usableFromInline var _idleKB = 0

    // Per function.
    @usableFromInline var _specs: [FunctionSpec] = []
    @usableFromInline var sizeKB: [Int] = []
    /// FaasCache's _freq: invocations across all the function's containers since it last had none.
    @usableFromInline var _freq: [Int] = []
    @usableFromInline var _liveContainers: [Int32] = []
    @usableFromInline var idleHead: [Int32] = []
    @usableFromInline var idleTail: [Int32] = []
    @usableFromInline var lastArrival: [Double] = []
    @usableFromInline var lastEnd: [Double] = []

    // Per container slot.
    @usableFromInline var cFunc: [Int32] = []
    @usableFromInline var cState: [State] = []
    @usableFromInline var cPrev: [Int32] = []
    @usableFromInline var cNext: [Int32] = []
    @usableFromInline var cPriority: [Double] = []
    @usableFromInline var cSeq: [UInt64] = []
    @usableFromInline var freeSlots: [Int32] = []

    @usableFromInline var idleHeap = IndexedMinHeap()
    /// Idle deadlines keyed by slot. A container leaving the idle state takes its deadline
    /// out at once. Left in place and skipped lazily, as before, every idle period added an
    /// entry that lived as long as its window: HIST's 4-hour windows kept the heap large,
    /// and popping the stale entries was the largest cost of a HIST replay.
    @usableFromInline var deadlines = IndexedMinHeap()
    @usableFromInline var deadlineSeq: UInt64 = 0        // ties: earliest-set deadline first
    @usableFromInline var prewarms = TimedEventHeap()    // a: function
    @usableFromInline var seq: UInt64 = 0
    @usableFromInline var victimScratch: [(slot: Int, priority: Double, seq: UInt64)] = []

    // Statistics.
    @usableFromInline var _evictions = 0
    @usableFromInline var _expirations = 0
    @usableFromInline var _prewarmsStarted = 0
    /// ∫ used memory dt, in KiB·s, for the mean warm memory.
    @usableFromInline var _memoryTimeKBs: Double = 0
    @usableFromInline var lastObserved: Double = -.infinity

    public var logRemovals = false
    public var removalLog: [ContainerID] = []

    public init(capacityMB: Double, policy: Policy, functions: [FunctionSpec] = []) {
        self._capacityKB = Int((capacityMB * 1024).rounded())
        self.policy = policy
        for s in functions { _ = register(s) }
    }

    public var usedKB: Int { _usedKB }
    public var idleKB: Int { _idleKB }
    public var freq: [Int] { _freq }
    public var liveContainers: [Int32] { _liveContainers }
    public var memoryTimeKBs: Double { _memoryTimeKBs }
    public var evictions: Int { _evictions }
    public var expirations: Int { _expirations }
    public var prewarmsStarted: Int { _prewarmsStarted }
    public var specs: [FunctionSpec] { _specs }
    public var capacityMB: Double { Double(_capacityKB) / 1024 }
    public var usedMB: Double { Double(_usedKB) / 1024 }
    public var idleMB: Double { Double(_idleKB) / 1024 }
    public var idleCount: Int { idleHeap.count }

    @discardableResult
    public mutating func register(_ spec: FunctionSpec) -> FunctionID {
        _specs.append(spec)
        sizeKB.append(Int((spec.memoryMB * 1024).rounded()))
        _freq.append(0)
        _liveContainers.append(0)
        idleHead.append(-1)
        idleTail.append(-1)
        lastArrival.append(.nan)
        lastEnd.append(.nan)
        return _specs.count - 1
    }

    // MARK: Queries

    public func state(of c: ContainerID) -> State { c < cState.count ? cState[c] : .free }
    public func function(of c: ContainerID) -> FunctionID { Int(cFunc[c]) }
    public func priority(of c: ContainerID) -> Double { cPriority[c] }

    /// The most recently idled container of `f`, if any.
    @inlinable
    public func idleContainer(of f: FunctionID) -> ContainerID? {
        let t = idleTail[f]
        return t >= 0 ? Int(t) : nil
    }

    /// Whether a new container of `f` fits after evicting every idle container.
    @inlinable
    public func canAdmit(_ f: FunctionID) -> Bool {
        let need = sizeKB[f]
        return need <= _capacityKB - _usedKB + _idleKB
    }

    // MARK: Serving

    /// Serves one arrival of `f` at `now` (see the type's documentation).
    @inlinable
    public mutating func invoke(_ f: FunctionID, now: Double) -> InvocationOutcome {
        observe(now)
        let sinceArrival = lastArrival[f].isNaN ? nil : now - lastArrival[f]
        let idle: Double? = lastEnd[f].isNaN ? nil : Swift.max(0, now - lastEnd[f])
        lastArrival[f] = now
        policy.recordArrival(of: f, now: now, sinceLastArrival: sinceArrival, idleTime: idle)

        if let c = idleContainer(of: f) {
            unlinkIdle(c)
            cState[c] = .busy
            touch(c, f, now)
            return .warm(c)
        }
        guard canAdmit(f) else { return .dropped }
        let n = evictVictims(toFreeKB: sizeKB[f], now: now, below: .infinity)
        let c = admit(f, now: now)
        return .cold(c, evicted: n)
    }

    /// Chooses and removes idle victims until `mb` of memory is free.
    /// Returns them, or nil (removing nothing) when that much cannot be freed.
    public mutating func chooseVictims(toFree mb: Double, now: Double) -> [ContainerID]? {
        observe(now)
        let need = Int((mb * 1024).rounded())
        guard need <= _capacityKB - _usedKB + _idleKB else { return nil }
        let saved = logRemovals, before = removalLog.count
        logRemovals = true
        _ = evictVictims(toFreeKB: need, now: now, below: .infinity)
        let out = Array(removalLog[before...])
        if !saved { removalLog.removeSubrange(before...) }
        logRemovals = saved
        return out
    }

    /// Admits a new busy container of `f` (a cold start). The caller must have
    /// made room (`chooseVictims`); memory is not checked again here.
    @inlinable
    public mutating func admit(_ f: FunctionID, now: Double) -> ContainerID {
        observe(now)
        let c = newSlot(f)
        cState[c] = .busy
        _usedKB += sizeKB[f]
        _liveContainers[f] += 1
        touch(c, f, now)
        return c
    }

    /// Counts one invocation on `c` and sets its priority.
    @inlinable
    mutating func touch(_ c: Int, _ f: Int, _ now: Double) {
        _freq[f] += 1
        cPriority[c] = policy.priority(of: f, freq: _freq[f], spec: _specs[f], now: now)
        cSeq[c] = seq
        seq &+= 1
    }

    /// An invocation running on `c` (or its pre-warm initialisation) ended at `now`.
    @inlinable
    public mutating func recordEnd(_ c: ContainerID, now: Double) {
        observe(now)
        let f = Int(cFunc[c])
        let prewarmed = cState[c] == .initialising
        precondition(cState[c] == .busy || prewarmed, "recordEnd on a container that is not running")
        if !prewarmed { lastEnd[f] = lastEnd[f].isNaN ? now : Swift.max(lastEnd[f], now) }
        cState[c] = .idle
        linkIdle(c, f)
        let w = policy.idleWindow(of: f, now: now, prewarmed: prewarmed)
        if w.expiresAt <= now {
            remove(c, reason: .expired, now: now)
        } else if w.expiresAt < .infinity {
            deadlines.insert(slot: c, priority: w.expiresAt, seq: deadlineSeq)
            deadlineSeq &+= 1
        }
    }

    // MARK: Timed events

    /// The time of the next idle deadline or pre-warm request (∞ if none).
    @inlinable
    public func nextEventTime() -> Double {
        Swift.min(deadlines.minPriority, prewarms.topTime)
    }

    /// Runs the earliest timed event. Returns a container that started a
    /// pre-warm initialisation: the caller calls `recordEnd` when it is ready
    /// (in the simulator, `time + cost`).
    @inlinable
    public mutating func processNextEvent() -> (container: ContainerID, time: Double)? {
        let dt = nextEventTime()
        if dt == .infinity { return nil }
        if deadlines.minPriority <= prewarms.topTime {
            let d = deadlines.popMin()!
            observe(d.priority)
            remove(d.slot, reason: .expired, now: d.priority)
            return nil
        }
        let p = prewarms.pop()!
        observe(p.time)
        return startPrewarm(Int(p.a), now: p.time).map { ($0, p.time) }
    }

    /// Expires every idle container whose deadline is ≤ `now`, and starts due
    /// pre-warms; returns the containers now initialising.
    public mutating func expire(upTo now: Double) -> [(container: ContainerID, time: Double)] {
        var started: [(container: ContainerID, time: Double)] = []
        while nextEventTime() <= now {
            if let s = processNextEvent() { started.append(s) }
        }
        return started
    }

    @usableFromInline
    mutating func startPrewarm(_ f: Int, now: Double) -> ContainerID? {
        guard _liveContainers[f] == 0 else { return nil }
        let need = sizeKB[f]
        guard need <= _capacityKB else { return nil }
        let candidate = policy.priority(of: f, freq: _freq[f], spec: _specs[f], now: now)
        if _capacityKB - _usedKB < need {
            guard need <= _capacityKB - _usedKB + _idleKB else { return nil }
            if evictVictims(toFreeKB: need, now: now, below: candidate) < 0 { return nil }
        }
        let c = newSlot(f)
        cState[c] = .initialising
        _usedKB += need
        _liveContainers[f] += 1
        cPriority[c] = candidate
        cSeq[c] = seq
        seq &+= 1
        _prewarmsStarted += 1
        return c
    }

    /// Changes the memory size (dynamic provisioning). Shrinking evicts idle
    /// containers, lowest priority first, as far as they allow; busy ones stay.
    public mutating func resize(capacityMB: Double, now: Double) {
        observe(now)
        _capacityKB = Int((capacityMB * 1024).rounded())
        let reachable = min(0, _capacityKB - _usedKB + _idleKB)   // free memory we can get to
        _ = evictVictims(toFreeKB: reachable, now: now, below: .infinity)
    }

    // MARK: Eviction

    /// Pops idle victims (lowest priority first) until `need` KiB are free.
    /// With a finite `below`, only victims of lower priority may go; if that is
    /// not enough nothing is evicted and -1 is returned.
    @inlinable
    mutating func evictVictims(toFreeKB need: Int, now: Double, below: Double) -> Int {
        var free = _capacityKB - _usedKB
        if free >= need { return 0 }
        victimScratch.removeAll(keepingCapacity: true)
        while free < need, let top = idleHeap.min, top.priority < below {
            let v = idleHeap.popMin()!
            victimScratch.append(v)
            free += sizeKB[Int(cFunc[v.slot])]
        }
        if free < need {   // only reachable with a finite `below`: undo
            for v in victimScratch { idleHeap.insert(slot: v.slot, priority: v.priority, seq: v.seq) }
            return -1
        }
        var maxP = -Double.infinity
        for v in victimScratch {
            maxP = Swift.max(maxP, v.priority)
            remove(v.slot, reason: .evicted, now: now, alreadyOutOfHeap: true)
        }
        policy.didEvict(maxPriority: maxP)
        return victimScratch.count
    }

    /// Removes idle container `c` from the pool.
    @usableFromInline
    mutating func remove(_ c: Int, reason: RemovalReason, now: Double, alreadyOutOfHeap: Bool = false) {
        let f = Int(cFunc[c])
        if alreadyOutOfHeap { unlinkIdleList(c, f) } else { unlinkIdle(c) }
        _usedKB -= sizeKB[f]
        _liveContainers[f] -= 1
        cState[c] = .free
        freeSlots.append(Int32(c))
        if reason == .evicted { _evictions += 1 } else { _expirations += 1 }
        if logRemovals { removalLog.append(c) }
        if _liveContainers[f] == 0 {
            _freq[f] = 0
            if let t = policy.functionGone(f, spec: _specs[f], now: now, reason: reason) {
                prewarms.push(.init(time: t, a: Int32(f), b: 0))
            }
        }
    }

    // MARK: Slots and idle lists

    @inlinable
    mutating func newSlot(_ f: Int) -> Int {
        if let s = freeSlots.popLast() {
            cFunc[Int(s)] = Int32(f)
            return Int(s)
        }
        cFunc.append(Int32(f)); cState.append(.free); cPrev.append(-1); cNext.append(-1)
        cPriority.append(0); cSeq.append(0)
        return cFunc.count - 1
    }

    @inlinable
    mutating func linkIdle(_ c: Int, _ f: Int) {
        let t = idleTail[f]
        cPrev[c] = t
        cNext[c] = -1
        if t >= 0 { cNext[Int(t)] = Int32(c) } else { idleHead[f] = Int32(c) }
        idleTail[f] = Int32(c)
        _idleKB += sizeKB[f]
        idleHeap.insert(slot: c, priority: cPriority[c], seq: cSeq[c])
    }

    @inlinable
    mutating func unlinkIdle(_ c: Int) {
        idleHeap.remove(slot: c)
        unlinkIdleList(c, Int(cFunc[c]))
    }

    @inlinable
    mutating func unlinkIdleList(_ c: Int, _ f: Int) {
        let p = cPrev[c], n = cNext[c]
        if p >= 0 { cNext[Int(p)] = n } else { idleHead[f] = n }
        if n >= 0 { cPrev[Int(n)] = p } else { idleTail[f] = p }
        cPrev[c] = -1; cNext[c] = -1
        _idleKB -= sizeKB[f]
        deadlines.remove(slot: c)   // no-op when it expired or never had one
    }

    @inlinable
    mutating func observe(_ now: Double) {
        if now > lastObserved {
            if lastObserved > -.infinity { _memoryTimeKBs += Double(_usedKB) * (now - lastObserved) }
            lastObserved = now
        }
    }
}

extension KeepAlivePool {
    /// Advances the memory-time integral to `now` (e.g. at the end of a trace).
    public mutating func noteTime(_ now: Double) { observe(now) }
}

