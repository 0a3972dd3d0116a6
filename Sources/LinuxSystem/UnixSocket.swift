import Glibc
import CWarmlane

/// AF_UNIX helpers: socket pairs for the create handshake and the console socket.
public enum UnixSocket {
    /// A SOCK_SEQPACKET pair: message boundaries survive, so each sync message is one read.
    public static func pair() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        try syscall("socketpair") { socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) }
        return (fds[0], fds[1])
    }

    public static func connect(path: String) throws -> Int32 {
        let fd = try syscall("socket") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd)
            throw SyscallError("connect", path, errno: .fileNameTooLong)
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        do {
            try syscall("connect", path) {
                withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
            }
        } catch { close(fd); throw error }
        return fd
    }

    public static func send(_ fd: Int32, _ message: String) throws {
        let bytes = Array(message.utf8)
        try syscall("send") { bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) } }
    }

    /// One message; nil when the peer closed.
    public static func receive(_ fd: Int32, max: Int = 65536) throws -> String? {
        var buf = [UInt8](repeating: 0, count: max)
        let n = try syscall("recv") { buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, 0) } }
        return n == 0 ? nil : String(decoding: buf[0..<n], as: UTF8.self)
    }

    public static func sendFD(_ sock: Int32, fd: Int32, name: String) throws {
        try syscall("sendmsg(SCM_RIGHTS)") { wl_send_fd(sock, fd, name) }
    }
}
