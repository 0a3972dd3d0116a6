import Glibc
import OCI
import LinuxSystem

enum MemoryController {
    static func applyV1(_ m: Resources.Memory?, _ dir: String) throws {
        guard let m else { return }
        func value(_ v: Int64) -> String { v < 0 ? "-1" : String(v) }
        // v1's memsw is memory+swap and must never be below the memory limit, so the
        // order of the two writes depends on which way the limits move.
        if let limit = m.limit {
            if let swap = m.swap {
                if (try? CgroupFile.write(dir, "memory.limit_in_bytes", value(limit))) != nil {
                    try CgroupFile.write(dir, "memory.memsw.limit_in_bytes", value(swap), optional: true)
                } else {
                    try CgroupFile.write(dir, "memory.memsw.limit_in_bytes", value(swap), optional: true)
                    try CgroupFile.write(dir, "memory.limit_in_bytes", value(limit))
                }
            } else {
                try CgroupFile.write(dir, "memory.limit_in_bytes", value(limit))
            }
        } else if let swap = m.swap {
            try CgroupFile.write(dir, "memory.memsw.limit_in_bytes", value(swap), optional: true)
        }
        if let r = m.reservation { try CgroupFile.write(dir, "memory.soft_limit_in_bytes", value(r)) }
        if let s = m.swappiness { try CgroupFile.write(dir, "memory.swappiness", String(s), optional: true) }
        if m.disableOOMKiller == true { try CgroupFile.write(dir, "memory.oom_control", "1") }
    }
}

/// Writes a cgroup interface file. `optional` tolerates files this kernel lacks.
enum CgroupFile {
    static func write(_ dir: String, _ file: String, _ value: String, optional: Bool = false) throws {
        let path = dir + "/" + file
        if optional && !FileSystem.exists(path) { return }
        try FileSystem.write(path, value, flags: O_WRONLY | O_TRUNC)
    }

    static func read(_ dir: String, _ file: String) -> String? {
        (try? FileSystem.readString(dir + "/" + file))?.trimmed
    }
}
