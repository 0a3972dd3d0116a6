import OCI
import LinuxSystem

/// The unified hierarchy: controllers are enabled top-down via cgroup.subtree_control,
/// and every resource has its own v2 file.
enum CgroupV2 {
    static func enableControllers(for dir: String) throws {
        guard let root = CgroupLayout.detect().unified else { return }
        let available = (CgroupFile.read(root, "cgroup.controllers") ?? "").split(separator: " ")
        guard !available.isEmpty else { return }
        let request = available.map { "+" + $0 }.joined(separator: " ")
        var p = Path.parent(dir)
        var chain: [String] = []
        while p.count >= root.count { chain.append(p); if p == root { break }; p = Path.parent(p) }
        for a in chain.reversed() { try? CgroupFile.write(a, "cgroup.subtree_control", request) }
    }

    /// cpu.shares (2..262144) to cpu.weight (1..10000), the conversion runc and crun use.
    static func weight(fromShares s: UInt64) -> UInt64 {
        s == 0 ? 0 : 1 + ((max(s, 2) - 2) * 9999) / 262142
    }

    static func apply(_ r: Resources, to dir: String) throws {
        func v(_ x: Int64) -> String { x < 0 ? "max" : String(x) }
        if let m = r.memory {
            if let l = m.limit { try CgroupFile.write(dir, "memory.max", v(l)) }
            if let l = m.reservation { try CgroupFile.write(dir, "memory.low", v(l)) }
            if let s = m.swap {
                // OCI swap is memory+swap; v2 limits swap alone.
                let swapOnly: String = s < 0 ? "max" : String(max(0, s - (m.limit ?? 0)))
                try CgroupFile.write(dir, "memory.swap.max", swapOnly, optional: true)
            }
            if m.disableOOMKiller == true { try CgroupFile.write(dir, "memory.oom.group", "0", optional: true) }
        }
        if let c = r.cpu {
            if let s = c.shares, s > 0 { try CgroupFile.write(dir, "cpu.weight", String(weight(fromShares: s))) }
            if c.quota != nil || c.period != nil {
                let q = c.quota.map { $0 > 0 ? String($0) : "max" } ?? "max"
                try CgroupFile.write(dir, "cpu.max", "\(q) \(c.period ?? 100000)")
            }
            if let cpus = c.cpus, !cpus.isEmpty { try CgroupFile.write(dir, "cpuset.cpus", cpus) }
            if let mems = c.mems, !mems.isEmpty { try CgroupFile.write(dir, "cpuset.mems", mems) }
            if let i = c.idle { try CgroupFile.write(dir, "cpu.idle", String(i), optional: true) }
        }
        if let p = r.pids { try CgroupFile.write(dir, "pids.max", p.limit > 0 ? String(p.limit) : "max") }
        if let b = r.blockIO {
            if let w = b.weight { try CgroupFile.write(dir, "io.weight", String(w), optional: true) }
            let io: [(String, [Resources.BlockIO.ThrottleDevice]?)] = [
                ("rbps", b.throttleReadBpsDevice), ("wbps", b.throttleWriteBpsDevice),
                ("riops", b.throttleReadIOPSDevice), ("wiops", b.throttleWriteIOPSDevice)]
            for (key, devs) in io {
                for d in devs ?? [] { try CgroupFile.write(dir, "io.max", "\(d.major):\(d.minor) \(key)=\(d.rate)") }
            }
        }
        for (file, value) in (r.unified ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard !file.contains("/") && !file.hasPrefix(".") else {
                throw SyscallError("unified", file, errno: .invalidArgument)
            }
            try CgroupFile.write(dir, file, value)
        }
    }
}
