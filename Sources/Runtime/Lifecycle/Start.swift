import Glibc
import CWarmlane
import OCI
import LinuxSystem

extension Runtime {
    /// Releases the init blocked on the exec fifo, so it execs the user process.
    public func start(id: String) throws {
        try start(try container(id))
    }

    func start(_ c: Container) throws {
        let id = c.id
        let status = c.status
        guard status == .created else { throw RuntimeError.cannotStart(status: status.rawValue) }
        let fifo = store.execFifo(id)
        // Non-blocking open: a blocking one would hang forever if init died meanwhile.
        let fd = try syscall("open", fifo) { wl_open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0) }
        defer { close(fd) }
        // Read the init's byte, then on to EOF: the init holds the fifo open (close-on-exec)
        // until it execs, so EOF means the startContainer hooks ran and the exec happened.
        var buf = [UInt8](repeating: 0, count: 16)
        var gotByte = false
        while true {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let r = poll(&p, 1, 100)
            if r < 0 && errno != EINTR { throw SyscallError.last("poll", fifo) }
            if r > 0 {
                let n = read(fd, &buf, buf.count)
                if n > 0 { gotByte = true; unlink(fifo) }
                else if n == 0 && gotByte { break }
            }
            if !c.record.initProcess.isAlive {
                if gotByte { break }
                throw RuntimeError.initFailed("container init exited before start")
            }
        }
        unlink(fifo)
        logger.debug("container \(id): started")
        let state = c.state(status: .running)
        do {
            try Hooks.run(.poststart, spec: c.record.spec, state: state)
        } catch {
            // runtime-spec: a failing poststart hook is a warning; the container keeps running.
            logger.warning("\(error)")
        }
    }
}
