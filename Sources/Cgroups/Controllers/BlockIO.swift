import OCI

enum BlockIOController {
    static func applyV1(_ b: Resources.BlockIO?, _ dir: String) throws {
        guard let b else { return }
        // Weights need the BFQ/CFQ scheduler; files are absent otherwise.
        if let w = b.weight { try CgroupFile.write(dir, "blkio.weight", String(w), optional: true) }
        if let w = b.leafWeight { try CgroupFile.write(dir, "blkio.leaf_weight", String(w), optional: true) }
        for d in b.weightDevice ?? [] {
            if let w = d.weight { try CgroupFile.write(dir, "blkio.weight_device", "\(d.major):\(d.minor) \(w)", optional: true) }
        }
        let throttles: [(String, [Resources.BlockIO.ThrottleDevice]?)] = [
            ("blkio.throttle.read_bps_device", b.throttleReadBpsDevice),
            ("blkio.throttle.write_bps_device", b.throttleWriteBpsDevice),
            ("blkio.throttle.read_iops_device", b.throttleReadIOPSDevice),
            ("blkio.throttle.write_iops_device", b.throttleWriteIOPSDevice),
        ]
        for (file, devices) in throttles {
            for d in devices ?? [] { try CgroupFile.write(dir, file, "\(d.major):\(d.minor) \(d.rate)") }
        }
    }
}
