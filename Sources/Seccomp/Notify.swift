#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CSeccomp
import Glibc
import OCI

/// runtime-spec "containerProcessState": what the runtime sends to `listenerPath`
/// together with the seccomp listener fd.
public struct ContainerProcessState: Codable, Sendable, Equatable {
    public var ociVersion: String
    /// Names of the fds sent with the message, in order: `["seccompFd"]`.
    public var fds: [String]
    /// The container process's pid as seen from the runtime (host pid namespace).
    public var pid: Int32
    /// `linux.seccomp.listenerMetadata`, opaque.
    public var metadata: String?
    public var state: OCI.State

    public init(ociVersion: String = OCIVersion.current, fds: [String] = ["seccompFd"], pid: Int32,
                metadata: String?, state: OCI.State) {
        self.ociVersion = ociVersion; self.fds = fds; self.pid = pid; self.metadata = metadata; self.state = state
    }
}

public enum SeccompNotify {
    /// The JSON payload, keys sorted (stable for tests and agents that log it).
    public static func payload(_ s: ContainerProcessState) throws -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return Array(try enc.encode(s))
    }

    /// Connects to the agent's AF_UNIX stream socket at `listenerPath` and sends the state
    /// JSON with `listenerFD` attached (SCM_RIGHTS) in one message, then closes the
    /// connection. Does not close `listenerFD`. Run it in the runtime (host) process,
    /// after the init has passed the fd back and before `create` returns, so the pid in
    /// the state is the host pid.
    public static func send(listenerFD: Int32, to listenerPath: String, state: ContainerProcessState) throws {
        let bytes = try payload(state)
        let r = bytes.withUnsafeBytes { buf in
            cseccomp_send_fd_to_path(listenerPath, listenerFD, buf.baseAddress, buf.count)
        }
        if r < 0 { throw SeccompError.listener(path: listenerPath, errno: -r) }
    }

    /// Copies the listener fd out of the container init, as runc does: the init writes
    /// the number `install` returned to the runtime (`write` can never be NOTIFY'd, so
    /// this cannot deadlock), and the runtime fetches it with pidfd_getfd (Linux >= 5.6),
    /// so no sendmsg has to pass the container's own filter. Returns a close-on-exec fd.
    public static func fetchListenerFD(pid: Int32, fd: Int32) throws -> Int32 {
        let r = cseccomp_fetch_fd(pid, fd)
        if r < 0 { throw SeccompError.library(call: "pidfd_getfd", errno: -r, context: "fd \(fd) of pid \(pid)") }
        return r
    }
}
