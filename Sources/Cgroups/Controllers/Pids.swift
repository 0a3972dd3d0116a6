import OCI

enum PidsController {
    static func applyV1(_ p: Resources.Pids?, _ dir: String) throws {
        guard let p else { return }
        try CgroupFile.write(dir, "pids.max", p.limit > 0 ? String(p.limit) : "max")
    }
}
