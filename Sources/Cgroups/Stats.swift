import LinuxSystem

/// Resource usage in the shape runc's `events` prints (its types.Stats), read from the
/// container's cgroup files on v1 or v2.
public struct Stats: Codable, Sendable, Equatable {
    public var cpu = CPU()
    public var memory = Memory()
    public var pids = Pids()
    public var blkio = BlkIO()
    public var hugetlb: [String: Hugetlb] = [:]

    public struct CPU: Codable, Sendable, Equatable {
        public var usage = Usage()
        public var throttling = Throttling()
        public struct Usage: Codable, Sendable, Equatable {
            public var total: UInt64 = 0
            public var percpu: [UInt64]? = nil
            public var kernel: UInt64 = 0
            public var user: UInt64 = 0
        }
        public struct Throttling: Codable, Sendable, Equatable {
            public var periods: UInt64 = 0
            public var throttledPeriods: UInt64 = 0
            public var throttledTime: UInt64 = 0
        }
    }
    public struct MemoryEntry: Codable, Sendable, Equatable {
        public var limit: UInt64 = 0
        public var usage: UInt64 = 0
        public var max: UInt64 = 0
        public var failcnt: UInt64 = 0
    }
    public struct Memory: Codable, Sendable, Equatable {
        public var cache: UInt64 = 0
        public var usage = MemoryEntry()
        public var swap = MemoryEntry()
        public var kernel = MemoryEntry()
        public var kernelTCP = MemoryEntry()
        public var raw: [String: UInt64] = [:]
    }
    public struct Pids: Codable, Sendable, Equatable {
        public var current: UInt64 = 0
        public var limit: UInt64 = 0
    }
    public struct BlkIO: Codable, Sendable, Equatable {
        public var ioServiceBytesRecursive: [Entry]? = nil
        public var ioServicedRecursive: [Entry]? = nil
        public struct Entry: Codable, Sendable, Equatable {
            public var major: UInt64, minor: UInt64, op: String, value: UInt64
        }
    }
    public struct Hugetlb: Codable, Sendable, Equatable {
        public var usage: UInt64, max: UInt64, failcnt: UInt64
    }
    public init() {}
}

extension CgroupSet {
    public func stats() -> Stats {
        var s = Stats()
        func num(_ dir: String, _ file: String) -> UInt64 {
            guard let t = CgroupFile.read(dir, file) else { return 0 }
            return t == "max" ? UInt64.max : UInt64(t) ?? 0
        }
        func keyed(_ dir: String, _ file: String) -> [String: UInt64] {
            var out: [String: UInt64] = [:]
            for line in (try? FileSystem.readString(dir + "/" + file))?.split(separator: "\n") ?? [] {
                let f = line.split(separator: " ")
                if f.count == 2, let v = UInt64(f[1]) { out[String(f[0])] = v }
            }
            return out
        }
        if isUnifiedOnly, let d = unified {
            let cpu = keyed(d, "cpu.stat")
            s.cpu.usage.total = (cpu["usage_usec"] ?? 0) * 1000
            s.cpu.usage.user = (cpu["user_usec"] ?? 0) * 1000
            s.cpu.usage.kernel = (cpu["system_usec"] ?? 0) * 1000
            s.cpu.throttling = .init(periods: cpu["nr_periods"] ?? 0, throttledPeriods: cpu["nr_throttled"] ?? 0,
                                     throttledTime: (cpu["throttled_usec"] ?? 0) * 1000)
            s.memory.usage = .init(limit: num(d, "memory.max"), usage: num(d, "memory.current"),
                                   max: num(d, "memory.peak"), failcnt: keyed(d, "memory.events")["max"] ?? 0)
            s.memory.swap = .init(limit: num(d, "memory.swap.max"), usage: num(d, "memory.swap.current"))
            s.memory.raw = keyed(d, "memory.stat")
            s.memory.cache = s.memory.raw["file"] ?? 0
            s.pids = .init(current: num(d, "pids.current"), limit: num(d, "pids.max"))
            return s
        }
        for d in directories {
            if d.hasPrefix("/sys/fs/cgroup/cpuacct/") || d.hasPrefix("/sys/fs/cgroup/cpu,cpuacct/") {
                s.cpu.usage.total = num(d, "cpuacct.usage")
                s.cpu.usage.percpu = CgroupFile.read(d, "cpuacct.usage_percpu")?.split(separator: " ").compactMap { UInt64($0) }
                let st = keyed(d, "cpuacct.stat")
                // USER_HZ ticks to nanoseconds.
                s.cpu.usage.user = (st["user"] ?? 0) * 10_000_000
                s.cpu.usage.kernel = (st["system"] ?? 0) * 10_000_000
            }
            if d.hasPrefix("/sys/fs/cgroup/cpu/") || d.hasPrefix("/sys/fs/cgroup/cpu,cpuacct/") {
                let st = keyed(d, "cpu.stat")
                s.cpu.throttling = .init(periods: st["nr_periods"] ?? 0, throttledPeriods: st["nr_throttled"] ?? 0,
                                         throttledTime: st["throttled_time"] ?? 0)
            }
            if d.hasPrefix("/sys/fs/cgroup/memory/") {
                s.memory.usage = .init(limit: num(d, "memory.limit_in_bytes"), usage: num(d, "memory.usage_in_bytes"),
                                       max: num(d, "memory.max_usage_in_bytes"), failcnt: num(d, "memory.failcnt"))
                s.memory.swap = .init(limit: num(d, "memory.memsw.limit_in_bytes"), usage: num(d, "memory.memsw.usage_in_bytes"),
                                      max: num(d, "memory.memsw.max_usage_in_bytes"), failcnt: num(d, "memory.memsw.failcnt"))
                s.memory.kernel = .init(limit: num(d, "memory.kmem.limit_in_bytes"), usage: num(d, "memory.kmem.usage_in_bytes"),
                                        max: num(d, "memory.kmem.max_usage_in_bytes"), failcnt: num(d, "memory.kmem.failcnt"))
                s.memory.raw = keyed(d, "memory.stat")
                s.memory.cache = s.memory.raw["cache"] ?? 0
            }
            if d.hasPrefix("/sys/fs/cgroup/pids/") {
                s.pids = .init(current: num(d, "pids.current"), limit: num(d, "pids.max"))
            }
        }
        return s
    }
}
