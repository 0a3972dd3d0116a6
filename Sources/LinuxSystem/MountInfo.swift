#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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

    public static func entries() -> [Entry] {
        guard let text = try? FileSystem.readString("/proc/self/mountinfo") else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let halves = String(line).components(separatedBy: " - ")
            guard halves.count == 2 else { return nil }
            let left = halves[0].split(separator: " "), right = halves[1].split(separator: " ")
            guard left.count >= 5, right.count >= 3 else { return nil }
            return Entry(mountPoint: unescape(String(left[4])), fsType: String(right[0]), superOptions: String(right[2]))
        }
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
