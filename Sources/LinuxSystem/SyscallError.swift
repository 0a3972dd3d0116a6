import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which call, on what, and the errno it returned.
/// Its description reads like runc's errors ("mount /proc: operation not permitted").
public struct SyscallError: Error, CustomStringConvertible, Sendable {
    public let errno: Errno
    public let operation: String
    public let subject: String?

    public init(_ operation: String, _ subject: String? = nil, errno: Errno) {
        self.operation = operation; self.subject = subject; self.errno = errno
    }

    /// Captures the calling thread's current errno.
    public static func last(_ operation: String, _ subject: String? = nil) -> SyscallError {
        SyscallError(operation, subject, errno: Errno(rawValue: Glibc.errno))
    }

    public var description: String {
        let what = subject.map { "\(operation) \($0)" } ?? operation
        return "\(what): \(errno.description.lowercased())"
    }
}

/// The one place that retries on EINTR. `body` returns -1 and sets errno on failure,
/// as libc does; the result is returned on success.
@discardableResult
@inline(__always)
public func syscall<T: BinaryInteger>(_ operation: String, _ subject: String? = nil, _ body: () -> T) throws -> T {
    while true {
        let rc = body()
        if rc != -1 { return rc }
        let e = Glibc.errno
        if e == EINTR { continue }
        throw SyscallError(operation, subject, errno: Errno(rawValue: e))
    }
}
