import Testing
import Glibc
import LinuxSystem

struct LinuxSystemTests {
    @Test(arguments: [("9", SIGKILL), ("KILL", SIGKILL), ("SIGKILL", SIGKILL), ("sigterm", SIGTERM),
                      ("HUP", SIGHUP), ("RTMIN+2", Int32(36)), ("64", Int32(64))])
    func signalNames(_ text: String, _ expected: Int32) { #expect(Signal.parse(text) == expected) }

    @Test(arguments: ["FOO", "SIGFOO", "999", "-1", "0", ""])
    func badSignals(_ text: String) { #expect(Signal.parse(text) == nil) }

    @Test func pathsAreCleanedLexically() {
        #expect(Path.clean("/a//b/./c/../d/") == "/a/b/d")
        #expect(Path.clean("/../..") == "/")
        #expect(Path.join("/bundle", "rootfs") == "/bundle/rootfs")
        #expect(Path.parent("/a/b") == "/a")
        #expect(Path.parent("/a") == "/")
        #expect(Path.lastComponent("/sys/fs/cgroup/cpu,cpuacct") == "cpu,cpuacct")
    }

    /// The byte-scan fast path must give what the component walk gives, on every shape.
    @Test func cleanMatchesTheComponentWalk() {
        func reference(_ path: String) -> String {
            let absolute = path.hasPrefix("/")
            var parts: [String] = []
            for c in path.split(separator: "/").map(String.init) where c != "." {
                if c == ".." {
                    if let last = parts.last, last != ".." { parts.removeLast() } else if !absolute { parts.append(c) }
                } else { parts.append(c) }
            }
            let joined = parts.joined(separator: "/")
            return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
        }
        let pieces = ["a", "bc", ".", "..", "...", ".a", "a.", "/", "//", ""]
        var checked = 0
        for x in pieces { for y in pieces { for z in pieces { for w in ["", "/", "x"] {
            let p = x + y + "/" + z + w
            #expect(Path.clean(p) == reference(p), "\(p)")
            #expect(Path.clean("/" + p) == reference("/" + p), "/\(p)")
            checked += 2
        } } } }
        #expect(checked == 6000)
        #expect(Path.lastComponent("/") == "/" && Path.lastComponent("a") == "a" && Path.lastComponent("/a/b/") == "b")
        #expect(Path.parent("a") == "." && Path.parent("/") == "/" && Path.parent("a/b") == "a")
    }

    @Test func byteSearch() {
        #expect("/sys/fs/cgroup/cpuset/x".containsBytes("/cpuset/"))
        #expect(!"/sys/fs/cgroup/cpuset".containsBytes("/cpuset/"))
        #expect("abc".containsBytes("") && "abc".containsBytes("abc") && !"ab".containsBytes("abc"))
        #expect("ééx".containsBytes("éx"))
    }

    @Test func capabilityMasksIgnoreUnknownNames() {
        #expect(Capability.mask(["CAP_KILL", "net_bind_service", "CAP_FROBNICATE"]) == (1 << 5) | (1 << 10))
        #expect(Capability.unknown(["CAP_KILL", "CAP_FROBNICATE"]) == ["CAP_FROBNICATE"])
    }

    @Test func errorsCarryErrnoAndContext() {
        let e = SyscallError("mount", "/proc", errno: .notPermitted)
        #expect(e.description == "mount /proc: operation not permitted")
        #expect(throws: SyscallError.self) { try syscall("open", "/nonexistent") { open("/nonexistent/x", O_RDONLY) } }
    }

    @Test func atomicWritesLeaveNoTempFile() throws {
        let dir = "/tmp/wl-atomic-\(getpid())"
        try FileSystem.makeDirectories(dir)
        defer { try? FileSystem.removeTree(dir) }
        try FileSystem.writeAtomically(dir + "/f", Array("one".utf8))
        try FileSystem.writeAtomically(dir + "/f", Array("two".utf8))
        #expect(try FileSystem.readString(dir + "/f") == "two")
        #expect(FileSystem.listDirectory(dir) == ["f"])
    }

    @Test func processIdentityOfSelf() throws {
        let me = try #require(ProcessIdentity.of(pid: getpid()))
        #expect(me.isAlive)
        #expect(!ProcessIdentity(pid: me.pid, startTime: me.startTime &+ 7).isAlive)
    }
}
