import Glibc
import CWarmlane
import OCI
import LinuxSystem

/// A pty for a process with `terminal: true`: its master goes to whoever listens on the
/// console socket (containerd, conmon, our own relay); its slave becomes the process's
/// stdio and controlling terminal. Runs inside the container, after its root is set up.
enum Console {
    static func setUp(socketFD sock: Int32, size: ConsoleSize?, bindDevConsole: Bool) throws {
        var slaveName = [CChar](repeating: 0, count: 64)
        let master = try syscall("open", "/dev/ptmx") { wl_open_pty_master("/dev/ptmx", &slaveName, 64) }
        let slavePath = String(cString: slaveName)
        let slave = try syscall("open", slavePath) { wl_open(slavePath, O_RDWR | O_NOCTTY, 0) }
        if let size {
            _ = wl_set_winsize(master, UInt16(clamping: size.height), UInt16(clamping: size.width))
        }
        try UnixSocket.sendFD(sock, fd: master, name: slavePath)
        close(master)
        close(sock)
        // /dev/console is the pty too, as on a real system console.
        if bindDevConsole && FileSystem.isDirectory("/dev") {
            if FileSystem.lstatMode("/dev/console") == nil {
                let fd = try syscall("create", "/dev/console") { wl_open("/dev/console", O_CREAT | O_WRONLY | O_CLOEXEC, 0o600) }
                close(fd)
            }
            try Mounts.mount(source: slavePath, target: "/dev/console", type: "bind", flags: .bind, data: nil)
        }
        if setsid() < 0 && errno != EPERM { throw SyscallError.last("setsid") }
        for fd: Int32 in 0...2 { try syscall("dup2") { dup2(slave, fd) } }
        try syscall("ioctl(TIOCSCTTY)") { wl_set_controlling_tty(0) }
        if slave > 2 { close(slave) }
    }
}
