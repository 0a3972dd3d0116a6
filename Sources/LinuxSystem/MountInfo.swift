/// /proc/self/mountinfo, read for the few questions the rootfs code asks.
public enum MountInfo {
    public struct Entry: Sendable, Equatable {
        public let mountPoint: String
        public let fsType: String
        public let superOptions: String
        public init(mountPoint: String, fsType: String, superOptions: String) {
            self.mountPoint = mountPoint; self.fsType = fsType; self.superOptions = superOptions
        }
    }

    /// Parsed on bytes: runtime commands read this on every create, and Foundation's
    /// string searching costs more than the read itself.
    public static func entries() -> [Entry] {
        guard let bytes = try? FileSystem.read("/proc/self/mountinfo") else { return [] }
        return bytes.split(separator: UInt8(ascii: "\n")).compactMap(entry)
    }

    /// `id parent major:minor root mountpoint options [optional...] - fstype source superoptions`
    static func entry(_ line: ArraySlice<UInt8>) -> Entry? {
        let fields = line.split(separator: UInt8(ascii: " "))
        guard fields.count >= 5, let dash = fields.firstIndex(where: { $0.elementsEqual([UInt8(ascii: "-")]) }),
              dash >= 5, fields.endIndex - dash >= 4 else { return nil }
        func text(_ f: ArraySlice<UInt8>) -> String { String(decoding: f, as: UTF8.self) }
        return Entry(mountPoint: unescape(text(fields[4])), fsType: text(fields[dash + 1]),
                     superOptions: text(fields[dash + 3]))
    }

    static func unescape(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var out: [UInt8] = [], b = Array(s.utf8), i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "\\"), i + 3 < b.count, let v = UInt8(String(decoding: b[(i+1)...(i+3)], as: UTF8.self), radix: 8) {
                out.append(v); i += 4
            } else { out.append(b[i]); i += 1 }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The longest mount point that is a prefix of `path`.
    public static func mountPoint(containing path: String) -> String {
        var best = "/"
        for e in entries() {
            let mp = e.mountPoint
            if (path == mp || path.hasPrefix(mp == "/" ? "/" : mp + "/")) && mp.count > best.count { best = mp }
        }
        return best
    }
}
