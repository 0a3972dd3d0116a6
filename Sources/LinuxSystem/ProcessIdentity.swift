import Glibc

/// A process named by pid *and* start time, so a recycled pid is never mistaken
/// for the process we started.
public struct ProcessIdentity: Codable, Equatable, Sendable {
    public let pid: Int32
    /// Field 22 of /proc/<pid>/stat: clock ticks since boot.
    public let startTime: UInt64

    public init(pid: Int32, startTime: UInt64) { self.pid = pid; self.startTime = startTime }

    public static func of(pid: Int32) -> ProcessIdentity? {
        guard let s = ProcStat.read(pid: pid) else { return nil }
        return ProcessIdentity(pid: pid, startTime: s.startTime)
    }

    /// Running or stopped by a signal; not a zombie and not on its way out. A killed init of
    /// a pid namespace stays in exit (state S) until every process of the namespace has been
    /// reaped, and a process exec'd into the container is reaped by whoever adopted it (the
    /// host's init, a subreaper), possibly much later: it has exited all the same.
    public var isAlive: Bool {
        guard let s = ProcStat.read(pid: pid), s.startTime == startTime else { return false }
        return s.state != "Z" && s.state != "X" && !s.isExiting
    }
}

public struct ProcStat {
    public let state: Character
    /// Field 9, the kernel's PF_* flags.
    public let flags: UInt32
    public let startTime: UInt64

    /// PF_EXITING: the process is in exit(2) and will not run user code again.
    public var isExiting: Bool { flags & 0x4 != 0 }

    public static func read(pid: Int32) -> ProcStat? {
        guard let text = try? FileSystem.readString("/proc/\(pid)/stat") else { return nil }
        // comm may contain spaces and parentheses: fields resume after the last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); flags are field 9, start time field 22.
        guard fields.count > 19, let st = fields[0].first, let flags = UInt32(fields[6]),
              let start = UInt64(fields[19]) else { return nil }
        return ProcStat(state: st, flags: flags, startTime: start)
    }
}
