import Testing
import Glibc
@testable import Runtime
import LinuxSystem
import OCI

struct MountPlanTests {
    @Test func bindTakesItsFlagsInARemount() throws {
        let step = try MountStep.plan(Mount(destination: "/data/", type: "bind", source: "src",
                                            options: ["rbind", "ro", "nosuid", "rshared"]), bundle: "/bundle")
        #expect(step.kind == .bind(recursive: true))
        #expect(step.source == "/bundle/src")
        #expect(step.destination == "/data")
        #expect(step.flags == [.bind, .recursive])
        #expect(step.remountFlags == [.readOnly, .noSUID])
        #expect(step.propagation == [[.shared, .recursive]])
    }

    @Test func plainBindNeedsNoRemount() throws {
        let step = try MountStep.plan(Mount(destination: "/x", type: "none", source: "/abs", options: ["bind"]), bundle: "/b")
        #expect(step.kind == .bind(recursive: false))
        #expect(step.remountFlags == nil)
        #expect(step.source == "/abs")
    }

    @Test func filesystemsKeepDataOptions() throws {
        let step = try MountStep.plan(Mount(destination: "/dev", type: "tmpfs", source: "tmpfs",
                                            options: ["nosuid", "strictatime", "mode=755", "size=65536k"]), bundle: "/b")
        #expect(step.kind == .filesystem)
        #expect(step.flags == [.noSUID, .strictATime])
        #expect(step.data == "mode=755,size=65536k")
    }

    @Test func cgroupMountsAreSpecial() throws {
        let step = try MountStep.plan(Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
                                            options: ["ro", "nosuid"]), bundle: "/b")
        #expect(step.kind == .cgroup)
        #expect(step.flags == [.readOnly, .noSUID])
    }

    @Test func clearingOptionsUndoEarlierOnes() {
        let o = MountOptions.parse(["ro", "rw", "noexec", "exec", "private", "unknown=1", "idmap"])
        #expect(o.flags == [])
        #expect(o.cleared.contains(.readOnly) && o.cleared.contains(.noExec))
        #expect(o.propagation == [.private])
        #expect(o.data == ["unknown=1"])
        #expect(o.ignored == ["idmap"])
    }

    @Test func secureJoinNeverLeavesTheRoot() throws {
        let root = "/tmp/wl-securejoin-\(getpid())"
        try FileSystem.makeDirectories(root + "/a/b")
        defer { try? FileSystem.removeTree(root) }
        symlink("/etc", root + "/abs")          // absolute: restarts at root
        symlink("../../..", root + "/a/up")     // climbs: stops at root
        symlink("b", root + "/a/rel")
        #expect(try secureJoin(root: root, "/abs/passwd") == root + "/etc/passwd")
        #expect(try secureJoin(root: root, "/a/up/x") == root + "/x")
        #expect(try secureJoin(root: root, "/../../etc") == root + "/etc")
        #expect(try secureJoin(root: root, "/a/rel/c") == root + "/a/b/c")
        symlink("loop", root + "/loop")
        #expect(throws: SyscallError.self) { try secureJoin(root: root, "/loop") }
    }
}
