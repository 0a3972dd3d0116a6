import Glibc
import OCI
import LinuxSystem

extension Runtime {
    public func state(id: String) throws -> State {
        try container(id).state()
    }

    /// Every container under the root, skipping directories whose state cannot be read.
    public func list() -> [State] {
        store.ids().compactMap { id in
            guard var s = try? container(id).state() else { return nil }
            s.owner = Owner.name(ofPath: store.directory(id))
            return s
        }
    }
}

/// The owner of a state directory by name, as runc's `list` shows it ("#uid" if unknown).
enum Owner {
    static func name(ofPath path: String) -> String {
        var st = stat()
        guard stat(path, &st) == 0 else { return "" }
        if let text = try? FileSystem.readString("/etc/passwd") {
            for line in text.split(separator: "\n") {
                let f = line.split(separator: ":", omittingEmptySubsequences: false)
                if f.count > 2, UInt32(f[2]) == st.st_uid { return String(f[0]) }
            }
        }
        return "#\(st.st_uid)"
    }
}
