import OCI
import Cgroups

extension Runtime {
    /// Applies new resource limits to a live container and records them, so later
    /// `update`s and `events` start from the current values.
    public func update(id: String, resources: Resources) throws {
        let c = try container(id)
        guard c.status != .stopped else { throw RuntimeError.notRunning }
        try c.record.cgroups.apply(resources)
        var record = c.record
        var linux = record.spec.linux ?? Linux()
        linux.resources = Resources.merge(linux.resources, resources)
        record.spec.linux = linux
        try store.save(record)
    }

    public func stats(id: String) throws -> Stats {
        let c = try container(id)
        guard c.status != .stopped else { throw RuntimeError.notRunning }
        return c.record.cgroups.stats()
    }
}

extension Resources {
    /// `new`'s fields where set, `old`'s otherwise (one level deep, as `update` means it).
    static func merge(_ old: Resources?, _ new: Resources) -> Resources {
        guard var r = old else { return new }
        if let m = new.memory {
            var mem = r.memory ?? Memory()
            mem.limit = m.limit ?? mem.limit; mem.reservation = m.reservation ?? mem.reservation
            mem.swap = m.swap ?? mem.swap; mem.swappiness = m.swappiness ?? mem.swappiness
            mem.disableOOMKiller = m.disableOOMKiller ?? mem.disableOOMKiller
            r.memory = mem
        }
        if let c = new.cpu {
            var cpu = r.cpu ?? CPU()
            cpu.shares = c.shares ?? cpu.shares; cpu.quota = c.quota ?? cpu.quota; cpu.period = c.period ?? cpu.period
            cpu.cpus = c.cpus ?? cpu.cpus; cpu.mems = c.mems ?? cpu.mems
            cpu.realtimeRuntime = c.realtimeRuntime ?? cpu.realtimeRuntime; cpu.realtimePeriod = c.realtimePeriod ?? cpu.realtimePeriod
            r.cpu = cpu
        }
        if let p = new.pids { r.pids = p }
        if let b = new.blockIO { r.blockIO = b }
        if let u = new.unified { r.unified = (r.unified ?? [:]).merging(u) { $1 } }
        return r
    }
}
