import Glibc
import CWarmlane
import OCI
import LinuxSystem

public struct RunOptions: Sendable, Equatable {
    public var create: CreateOptions
    public var detach = false
    public var keep = false
    public init(create: CreateOptions) { self.create = create }
}

extension Runtime {
    /// create + start; in the foreground, waits for the container and returns its exit
    /// code (128 + signal if killed), then deletes it unless `keep`.
    public func run(id: String, options: RunOptions) throws -> Int32 {
        // A foreground run with a terminal and no console socket gets its own: we hold the
        // pty master and copy between it and our stdio.
        let loaded = try BundleLoader.load(bundle: FileSystem.absolute(options.create.bundle))
        let spec = loaded.spec
        Timeline.mark("config loaded")
        let ownConsole = spec.process?.terminal == true && options.create.consoleSocket == nil && !options.detach
        var consolePair: (Int32, Int32)?
        if ownConsole {
            var fds: [Int32] = [0, 0]
            try syscall("socketpair") { socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) }
            consolePair = (fds[0], fds[1])
        }
        let created = try create(id: id, options: options.create, loaded: loaded, consoleSocketFD: consolePair?.1)
        var master: Int32 = -1
        if let (ours, theirs) = consolePair {
            close(theirs)
            var name = [CChar](repeating: 0, count: 64)
            master = wl_recv_fd(ours, &name, 64)
            close(ours)
        }
        let container = Container(record: created.record, store: store)
        Timeline.mark("created")
        do {
            try start(container)
        } catch {
            try? delete(container, force: true)
            throw error
        }
        Timeline.mark("started")
        if options.detach { return 0 }

        _ = wl_forward_signals_to(created.pid)
        let status: Int32
        if master >= 0 {
            status = TerminalRelay(master: master).run(until: created.pid)
        } else {
            var s: Int32 = 0
            while waitpid(created.pid, &s, 0) < 0 && errno == EINTR {}
            status = s
        }
        Timeline.mark("container exited")
        logger.debug("container \(id): exited with status \(exitStatus(status))")
        if !options.keep { try? delete(container, force: true) }
        Timeline.mark("deleted")
        logger.debug("container \(id): deleted")
        return exitStatus(status)
    }
}

/// Copies our stdin to the pty master and the master to our stdout until the child exits.
struct TerminalRelay {
    let master: Int32

    func run(until pid: Int32) -> Int32 {
        let raw = RawMode(fd: 0)
        defer { raw?.restore() }
        var rows: UInt16 = 0, cols: UInt16 = 0
        if wl_get_winsize(0, &rows, &cols) == 0 { _ = wl_set_winsize(master, rows, cols) }
        var buf = [UInt8](repeating: 0, count: 32768)
        var stdinOpen = true
        var status: Int32 = 0
        while true {
            var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: stdinOpen ? 0 : -1, events: Int16(POLLIN), revents: 0)]
            let r = poll(&fds, 2, 100)
            if r > 0 {
                if fds[0].revents != 0 {
                    let n = read(master, &buf, buf.count)
                    if n > 0 { _ = try? FileSystem.writeAll(fd: 1, Array(buf[0..<n]), path: "stdout") }
                    else if n <= 0 && errno != EINTR && errno != EAGAIN { break }
                }
                if fds[1].revents != 0 {
                    let n = read(0, &buf, buf.count)
                    if n > 0 { _ = try? FileSystem.writeAll(fd: master, Array(buf[0..<n]), path: "pty") }
                    else { stdinOpen = false }
                }
            }
            if waitpid(pid, &status, WNOHANG) == pid {
                // Drain what the process wrote just before exiting.
                _ = wl_fcntl_setfl_nonblock(master, 1)
                while true {
                    let n = read(master, &buf, buf.count)
                    if n <= 0 { break }
                    _ = try? FileSystem.writeAll(fd: 1, Array(buf[0..<n]), path: "stdout")
                }
                close(master)
                return status
            }
        }
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        close(master)
        return status
    }
}

/// The host terminal in raw mode for the relay's lifetime, when stdin is a terminal.
struct RawMode {
    let fd: Int32
    let saved: termios

    init?(fd: Int32) {
        guard isatty(fd) == 1 else { return nil }
        var t = termios()
        guard tcgetattr(fd, &t) == 0 else { return nil }
        self.fd = fd
        saved = t
        cfmakeraw(&t)
        tcsetattr(fd, TCSANOW, &t)
    }

    func restore() {
        var t = saved
        tcsetattr(fd, TCSANOW, &t)
    }
}
