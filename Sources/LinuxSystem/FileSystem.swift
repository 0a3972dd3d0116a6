#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import CWarmlane

/// File operations the runtime needs, with typed errors and atomic writes.
public enum FileSystem {
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func lstatMode(_ path: String) -> mode_t? {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode & S_IFMT : nil
    }

    public static func read(_ path: String) throws -> [UInt8] {
        let fd = try syscall("open", path) { wl_open(path, O_RDONLY | O_CLOEXEC, 0) }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = try syscall("read", path) { buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }

    public static func readString(_ path: String) throws -> String {
        String(decoding: try read(path), as: UTF8.self)
    }

    /// Writes a whole file; for /proc and /sys files that take one write.
    public static func write(_ path: String, _ string: String, flags: Int32 = O_WRONLY | O_TRUNC | O_CREAT,
                             mode: mode_t = 0o644) throws {
        let fd = try syscall("open", path) { wl_open(path, flags | O_CLOEXEC, mode) }
        defer { close(fd) }
        try writeAll(fd: fd, Array(string.utf8), path: path)
    }

    public static func writeAll(fd: Int32, _ bytes: [UInt8], path: String) throws {
        var off = 0
        while off < bytes.count {
            let n = try syscall("write", path) {
                bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, bytes.count - off) }
            }
            off += n
        }
    }

    /// Temp file + rename: readers see the old file or the new one, never half. No fsync (as
    /// runc): container state and pid files describe processes that do not outlive a host
    /// crash, and an fsync on a disk-backed /run cost ~0.8 ms per create.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws {
        let tmp = "\(path).tmp.\(getpid())"
        let fd = try syscall("open", tmp) { wl_open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) }
        do {
            try writeAll(fd: fd, bytes, path: tmp)
            close(fd)
            try syscall("rename", path) { rename(tmp, path) }
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
    }

    /// mkdir -p. Existing directories are fine.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        if isDirectory(path) { return }
        let parent = Path.parent(path)
        if !parent.isEmpty && parent != path { try makeDirectories(parent, mode: mode) }
        if mkdir(path, mode) != 0 && Glibc.errno != EEXIST { throw SyscallError.last("mkdir", path) }
    }

    /// rm -rf without crossing into mounts; used for state directories only. Entries that
    /// vanish meanwhile (a concurrent delete) are not errors.
    public static func removeTree(_ path: String) throws {
        guard let kind = lstatMode(path) else { return }
        if kind == S_IFDIR {
            if let dir = opendir(path) {
                var names: [String] = []
                while let ent = readdir(dir) {
                    let name = withUnsafeBytes(of: ent.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                    if name != "." && name != ".." { names.append(name) }
                }
                closedir(dir)
                for n in names { try removeTree(path + "/" + n) }
            }
            if rmdir(path) != 0 && Glibc.errno != ENOENT { throw SyscallError.last("rmdir", path) }
        } else {
            if unlink(path) != 0 && Glibc.errno != ENOENT { throw SyscallError.last("unlink", path) }
        }
    }

    public static func listDirectory(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let ent = readdir(dir) {
            let name = withUnsafeBytes(of: ent.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return Path.clean(path) }
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard getcwd(&buf, buf.count) != nil else { return path }
        return Path.clean(String(cString: buf) + "/" + path)
    }
}

/// Lexical path helpers (no filesystem access). They run for every mount, device and
/// cgroup of a create, so the common case (an already clean path) is a byte scan.
public enum Path {
    /// Collapses "//", "." and ".." lexically. ".." never climbs above "/".
    public static func clean(_ path: String) -> String {
        if isClean(path) { return path }
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for c in path.split(separator: "/", omittingEmptySubsequences: true) {
            if c == "." { continue }
            if c == ".." {
                if let last = parts.last, last != ".." { parts.removeLast() }
                else if !absolute { parts.append(c) }
                continue
            }
            parts.append(c)
        }
        let joined = parts.map(String.init).concatenated(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// True when `clean` would return `path` unchanged: "/" or components that are neither
    /// empty (no "//", no trailing "/") nor "." nor "..".
    static func isClean(_ path: String) -> Bool {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        var length = 0, dots = 0, first = true
        for b in path.utf8 {
            if b == slash {
                // An empty first component is the root of an absolute path.
                if (length == 0 && !first) || (length > 0 && dots == length && length <= 2) { return false }
                length = 0; dots = 0; first = false
            } else {
                length += 1
                if b == dot { dots += 1 }
            }
        }
        if length == 0 { return path == "/" }
        return !(dots == length && length <= 2)
    }

    public static func join(_ a: String, _ b: String) -> String { clean(a + "/" + b) }

    /// basename(3), lexically.
    public static func lastComponent(_ path: String) -> String {
        let c = clean(path)
        guard c != "/", let i = c.utf8.lastIndex(of: UInt8(ascii: "/")) else { return c }
        return String(c[c.utf8.index(after: i)...])
    }

    /// dirname(3), lexically.
    public static func parent(_ path: String) -> String {
        let c = clean(path)
        guard let i = c.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        return i == c.startIndex ? "/" : String(c[..<i])
    }
}

extension String {
    /// Substring search on bytes: `contains(_: StringProtocol)` goes through the generic
    /// string-processing searcher, whose first use costs more than this whole scan.
    public func containsBytes(_ needle: String) -> Bool {
        let h = Array(utf8), n = Array(needle.utf8)
        guard !n.isEmpty else { return true }
        guard h.count >= n.count else { return false }
        for start in 0...(h.count - n.count) where h[start] == n[0] {
            if h[start..<(start + n.count)].elementsEqual(n) { return true }
        }
        return false
    }
}
