#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ArgumentParser
import Glibc
import Runtime
import OCI
import LinuxSystem

struct UpdateCommand: RuntimeVerb {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Change a running container's resource limits.")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "JSON file of runtime-spec linux.resources, or - for stdin.") var resources: String?
    @Option(help: "Memory limit (bytes, or with k/m/g suffix).") var memory: String?
    @Option(name: .customLong("memory-reservation"), help: "Memory soft limit.") var memoryReservation: String?
    @Option(name: .customLong("memory-swap"), help: "Memory plus swap limit (-1: unlimited).") var memorySwap: String?
    @Option(name: .customLong("kernel-memory"), help: "Ignored (deprecated by the kernel).") var kernelMemory: String?
    @Option(name: .customLong("kernel-memory-tcp"), help: "Ignored (deprecated by the kernel).") var kernelMemoryTCP: String?
    @Option(name: [.customLong("cpu-share"), .customLong("cpu-shares")], help: "CPU shares.") var cpuShares: UInt64?
    @Option(name: .customLong("cpu-quota"), help: "CFS quota in microseconds.") var cpuQuota: Int64?
    @Option(name: .customLong("cpu-period"), help: "CFS period in microseconds.") var cpuPeriod: UInt64?
    @Option(name: .customLong("cpu-rt-runtime"), help: "Realtime runtime in microseconds.") var cpuRtRuntime: Int64?
    @Option(name: .customLong("cpu-rt-period"), help: "Realtime period in microseconds.") var cpuRtPeriod: UInt64?
    @Option(name: .customLong("cpuset-cpus"), help: "CPUs to run on.") var cpusetCpus: String?
    @Option(name: .customLong("cpuset-mems"), help: "Memory nodes to use.") var cpusetMems: String?
    @Option(name: .customLong("pids-limit"), help: "Maximum number of processes.") var pidsLimit: Int64?
    @Option(name: .customLong("blkio-weight"), help: "Block IO weight (10-1000).") var blkioWeight: UInt16?
    @Argument(help: "Container id.") var id: String

    func execute(_ runtime: Runtime) throws -> Int32 {
        var r = Resources()
        if let path = resources {
            let bytes = path == "-" ? readStandardInput() : try FileSystem.read(path)
            do { r = try JSONDecoder().decode(Resources.self, from: Data(bytes)) }
            catch { throw RuntimeError.config("resources: \(error)") }
        }
        if memory != nil || memoryReservation != nil || memorySwap != nil {
            var m = r.memory ?? Resources.Memory()
            if let v = memory { m.limit = try ByteSize.parse(v) }
            if let v = memoryReservation { m.reservation = try ByteSize.parse(v) }
            if let v = memorySwap { m.swap = try ByteSize.parse(v) }
            r.memory = m
        }
        if cpuShares != nil || cpuQuota != nil || cpuPeriod != nil || cpusetCpus != nil || cpusetMems != nil
            || cpuRtRuntime != nil || cpuRtPeriod != nil {
            var c = r.cpu ?? Resources.CPU()
            c.shares = cpuShares ?? c.shares; c.quota = cpuQuota ?? c.quota; c.period = cpuPeriod ?? c.period
            c.cpus = cpusetCpus ?? c.cpus; c.mems = cpusetMems ?? c.mems
            c.realtimeRuntime = cpuRtRuntime ?? c.realtimeRuntime; c.realtimePeriod = cpuRtPeriod ?? c.realtimePeriod
            r.cpu = c
        }
        if let p = pidsLimit { r.pids = Resources.Pids(limit: p) }
        if let w = blkioWeight {
            var b = r.blockIO ?? Resources.BlockIO()
            b.weight = w
            r.blockIO = b
        }
        try runtime.update(id: id, resources: r)
        return 0
    }

    func readStandardInput() -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = read(0, &buf, buf.count)
            if n > 0 { out.append(contentsOf: buf[0..<n]) } else if n == 0 || errno != EINTR { break }
        }
        return out
    }
}

/// "64m", "1G", "1024", "-1" as docker and runc accept them.
enum ByteSize {
    static func parse(_ text: String) throws -> Int64 {
        let t = text.lowercased().trimmed
        if t == "-1" { return -1 }
        let units: [(String, Int64)] = [("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("kb", 1 << 10),
                                        ("mb", 1 << 20), ("gb", 1 << 30), ("k", 1 << 10), ("m", 1 << 20),
                                        ("g", 1 << 30), ("t", 1 << 40), ("b", 1)]
        for (suffix, mult) in units where t.hasSuffix(suffix) {
            if let n = Double(t.dropLast(suffix.count)), n >= 0 { return Int64(n * Double(mult)) }
        }
        if let n = Int64(t), n >= 0 { return n }
        throw RuntimeError.config("invalid size \(text.debugDescription)")
    }
}
