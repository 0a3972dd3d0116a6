/// A binary min-heap of container slots keyed by (priority, sequence), with
/// O(log n) insert, pop-min and removal of an arbitrary slot.
///
/// The sequence number breaks ties deterministically: among equal priorities
/// the entry whose priority was set earliest is popped first.
public struct IndexedMinHeap: Sendable {
    @usableFromInline struct Entry: Sendable {
        @usableFromInline var priority: Double
        @usableFromInline var seq: UInt64
        @usableFromInline var slot: Int32
        @inlinable init(priority: Double, seq: UInt64, slot: Int32) {
            self.priority = priority; self.seq = seq; self.slot = slot
        }
        @inlinable func less(_ o: Entry) -> Bool {
            priority < o.priority || (priority == o.priority && seq < o.seq)
        }
    }

    @usableFromInline var entries: [Entry] = []
    /// position of each slot in `entries`, -1 when absent.
    @usableFromInline var position: [Int32] = []

    public init() {}

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    public func contains(_ slot: Int) -> Bool { slot < position.count && position[slot] >= 0 }

    /// The smallest priority (∞ when empty).
    @inlinable public var minPriority: Double { entries.first?.priority ?? .infinity }

    /// The minimum (slot, priority), if any.
    public var min: (slot: Int, priority: Double)? {
        guard let e = entries.first else { return nil }
        return (Int(e.slot), e.priority)
    }

    public mutating func insert(slot: Int, priority: Double, seq: UInt64) {
        if slot >= position.count {
            position.append(contentsOf: repeatElement(-1, count: Swift.max(slot + 1 - position.count, position.count)))
        }
        precondition(position[slot] < 0, "slot already in heap")
        entries.append(Entry(priority: priority, seq: seq, slot: Int32(slot)))
        let i = entries.count - 1
        position[slot] = Int32(i)
        siftUp(i)
    }

    @discardableResult
    public mutating func popMin() -> (slot: Int, priority: Double, seq: UInt64)? {
        guard let top = entries.first else { return nil }
        removeAt(0)
        return (Int(top.slot), top.priority, top.seq)
    }

    /// Removes `slot` if present; returns whether it was present.
    @discardableResult
    public mutating func remove(slot: Int) -> Bool {
        guard slot < position.count else { return false }
        let p = Int(position[slot])
        guard p >= 0 else { return false }
        removeAt(p)
        return true
    }

    @inlinable mutating func removeAt(_ i: Int) {
        let removed = entries[i].slot
        position[Int(removed)] = -1
        let last = entries.removeLast()
        if i < entries.count {
            entries[i] = last
            position[Int(last.slot)] = Int32(i)
            if i > 0 && last.less(entries[(i - 1) >> 1]) { siftUp(i) } else { siftDown(i) }
        }
    }

    @inlinable mutating func siftUp(_ start: Int) {
        var i = start
        let e = entries[i]
        while i > 0 {
            let parent = (i - 1) >> 1
            let p = entries[parent]
            guard e.less(p) else { break }
            entries[i] = p
            position[Int(p.slot)] = Int32(i)
            i = parent
        }
        entries[i] = e
        position[Int(e.slot)] = Int32(i)
    }

    @inlinable mutating func siftDown(_ start: Int) {
        var i = start
        let e = entries[i]
        let n = entries.count
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            // Which child is smaller is unpredictable: pick it with a select, not a branch.
            let c = l + (l + 1 < n && entries[l + 1].less(entries[l]) ? 1 : 0)
            let ce = entries[c]
            guard ce.less(e) else { break }
            entries[i] = ce
            position[Int(ce.slot)] = Int32(i)
            i = c
        }
        entries[i] = e
        position[Int(e.slot)] = Int32(i)
    }
}

/// A plain binary min-heap of timed events (time, payload) used for deadlines
/// and completions. Stale entries are the caller's business (lazy deletion).
public struct TimedEventHeap: Sendable {
    public struct Event: Sendable {
        public var time: Double
        public var a: Int32
        public var b: UInt32
        public init(time: Double, a: Int32, b: UInt32) { self.time = time; self.a = a; self.b = b }
    }
    @usableFromInline var items: [Event] = []
    public init() {}
    public var count: Int { items.count }
    public var isEmpty: Bool { items.isEmpty }
    public var top: Event? { items.first }
    public var topTime: Double { items.first?.time ?? .infinity }

    public mutating func push(_ e: Event) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) >> 1
            guard e.time < items[p].time else { break }
            items[i] = items[p]
            i = p
        }
        items[i] = e
    }

    @discardableResult
    public mutating func pop() -> Event? {
        guard !items.isEmpty else { return nil }
        let top = items[0]
        let last = items.removeLast()
        let n = items.count
        if n > 0 {
            var i = 0
            while true {
                let l = 2 * i + 1
                if l >= n { break }
                // Which child is earlier is unpredictable: pick it with a select, not a branch.
                let c = l + (l + 1 < n && items[l + 1].time < items[l].time ? 1 : 0)
                guard items[c].time < last.time else { break }
                items[i] = items[c]
                i = c
            }
            items[i] = last
        }
        return top
    }

    public mutating func removeAll() { items.removeAll(keepingCapacity: true) }
}
