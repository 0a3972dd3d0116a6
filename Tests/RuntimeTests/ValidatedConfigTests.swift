import Testing
@testable import Runtime
import OCI

struct ValidatedConfigTests {
    func spec(_ edit: (inout Spec) -> Void = { _ in }) -> Spec {
        var s = Spec.default()
        s.process?.terminal = false
        edit(&s)
        return s
    }

    func validate(_ s: Spec, console: Bool = false) throws -> ValidatedConfig {
        try ValidatedConfig(spec: s, bundle: "/b", hasConsole: console, checkFilesystem: false)
    }

    func expectConfigError(_ s: Spec, containing text: String, console: Bool = false) {
        do {
            _ = try validate(s, console: console)
            Issue.record("expected an error containing \(text)")
        } catch let e as RuntimeError {
            #expect(e.description.contains(text), "\(e)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func defaultSpecIsValidAndResolvesRootfsAgainstTheBundle() throws {
        let v = try validate(spec())
        #expect(v.rootfs == "/b/rootfs")
        #expect(v.newNamespaces == [.pid, .network, .ipc, .uts, .mount, .cgroup])
        #expect(v.joinedNamespaces.isEmpty)
    }

    @Test func cgroupAndTimeNamespacesAreNotCloneFlags() throws {
        // They are unshared by the init itself, after cgroup placement / offset writes.
        let v = try validate(spec { $0.hostname = nil; $0.linux?.namespaces = [.init(type: .mount), .init(type: .cgroup), .init(type: .time)] })
        #expect(v.cloneFlags == 0x0002_0000) // CLONE_NEWNS only
    }

    @Test func joinedNamespacesAreSeparated() throws {
        let v = try validate(spec { $0.hostname = nil; $0.linux?.namespaces = [.init(type: .mount), .init(type: .network, path: "/proc/1/ns/net")] })
        #expect(v.newNamespaces == [.mount])
        #expect(v.joinedNamespaces.map(\.type) == [.network])
    }

    @Test func errors() {
        expectConfigError(spec { $0.process = nil }, containing: "process is missing")
        expectConfigError(spec { $0.process?.args = [] }, containing: "args must not be empty")
        expectConfigError(spec { $0.process?.cwd = "rel" }, containing: "not an absolute path")
        expectConfigError(spec { $0.root = nil }, containing: "root.path is missing")
        expectConfigError(spec { $0.ociVersion = "2.0.0" }, containing: "unsupported ociVersion")
        expectConfigError(spec { $0.process?.terminal = true }, containing: "console socket")
        expectConfigError(spec { $0.linux?.namespaces = [.init(type: .pid)] }, containing: "mount namespace is required")
        expectConfigError(spec { $0.linux?.namespaces?.append(.init(type: .pid)) }, containing: "listed twice")
        expectConfigError(spec { $0.linux?.namespaces?.removeAll { $0.type == .uts } }, containing: "UTS namespace")
        expectConfigError(spec { $0.linux?.namespaces?.append(.init(type: .user)) }, containing: "uidMappings")
        expectConfigError(spec { $0.process?.rlimits = [Rlimit(type: "RLIMIT_BOGUS", hard: 1, soft: 1)] }, containing: "RLIMIT_BOGUS")
        expectConfigError(spec { $0.linux?.rootfsPropagation = "sideways" }, containing: "rootfsPropagation")
        expectConfigError(spec { $0.mounts = [Mount(destination: "relative", type: "tmpfs")] }, containing: "not absolute")
    }

    @Test func terminalIsFineWithAConsole() throws {
        _ = try validate(spec { $0.process?.terminal = true }, console: true)
    }

    @Test func sysctlNeedsTheMatchingNamespace() throws {
        let all: Set<NamespaceType> = [.ipc, .network, .uts]
        try ValidatedConfig.checkSysctl("net.ipv4.ip_forward", namespaces: all)
        try ValidatedConfig.checkSysctl("kernel.msgmax", namespaces: all)
        try ValidatedConfig.checkSysctl("fs.mqueue.msg_max", namespaces: all)
        #expect(throws: RuntimeError.self) { try ValidatedConfig.checkSysctl("net.ipv4.ip_forward", namespaces: [.ipc]) }
        #expect(throws: RuntimeError.self) { try ValidatedConfig.checkSysctl("kernel.shmmax", namespaces: [.network]) }
        #expect(throws: RuntimeError.self) { try ValidatedConfig.checkSysctl("vm.swappiness", namespaces: all) }
    }
}
