import OCI
import LinuxSystem

enum CPUController {
    static func applyV1(_ c: Resources.CPU?, _ dir: String) throws {
        guard let c else { return }
        if let s = c.shares, s > 0 { try CgroupFile.write(dir, "cpu.shares", String(s)) }
        // The period goes first: a quota is validated against the current period.
        if let p = c.period, p > 0 { try CgroupFile.write(dir, "cpu.cfs_period_us", String(p)) }
        if let q = c.quota, q != 0 { try CgroupFile.write(dir, "cpu.cfs_quota_us", String(q)) }
        if let b = c.burst { try CgroupFile.write(dir, "cpu.cfs_burst_us", String(b), optional: true) }
        if let p = c.realtimePeriod, p > 0 { try CgroupFile.write(dir, "cpu.rt_period_us", String(p), optional: true) }
        if let r = c.realtimeRuntime, r != 0 { try CgroupFile.write(dir, "cpu.rt_runtime_us", String(r), optional: true) }
        if let i = c.idle { try CgroupFile.write(dir, "cpu.idle", String(i), optional: true) }
    }
}

enum CpusetController {
    /// A new v1 cpuset starts empty and refuses tasks; fill it from the nearest ancestor.
    static func inherit(_ dir: String) throws {
        for file in ["cpuset.cpus", "cpuset.mems"] {
            if let v = CgroupFile.read(dir, file), !v.isEmpty { continue }
            var ancestors: [String] = []
            var p = Path.parent(dir)
            while p.hasPrefix("/sys/fs/cgroup/") { ancestors.append(p); p = Path.parent(p) }
            guard let source = ancestors.first(where: { !(CgroupFile.read($0, file) ?? "").isEmpty }),
                  let value = CgroupFile.read(source, file) else { continue }
            // Fill every empty level between the source and us, top-down.
            for a in ancestors.prefix(while: { $0 != source }).reversed() where (CgroupFile.read(a, file) ?? "").isEmpty {
                try CgroupFile.write(a, file, value)
            }
            try CgroupFile.write(dir, file, value)
        }
    }

    static func applyV1(_ c: Resources.CPU?, _ dir: String) throws {
        guard let c else { return }
        if let cpus = c.cpus, !cpus.isEmpty { try CgroupFile.write(dir, "cpuset.cpus", cpus) }
        if let mems = c.mems, !mems.isEmpty { try CgroupFile.write(dir, "cpuset.mems", mems) }
    }
}
