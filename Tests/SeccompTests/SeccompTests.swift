#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CSeccomp
import Glibc
import OCI
import Testing
@testable import Seccomp

private func spec(_ json: String) throws -> OCI.Seccomp {
    try JSONDecoder().decode(OCI.Seccomp.self, from: Data(json.utf8))
}

private func expectError(_ json: String, _ check: (SeccompError) -> Bool,
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
    let s = try spec(json)
    do {
        try SeccompFilter.validate(s)
        Issue.record("expected an error for \(json)", sourceLocation: sourceLocation)
    } catch let e as SeccompError {
        #expect(check(e), "unexpected error: \(e)", sourceLocation: sourceLocation)
        #expect(!e.description.isEmpty)
    }
}

/// libseccomp's pseudo-filter-code text for a compiled profile (not loaded).
private func pfc(_ c: CompiledSeccomp) throws -> String {
    let ctx = try SeccompFilter.build(c)
    defer { seccomp_release(ctx) }
    guard let f = tmpfile() else { throw SeccompError.notify("tmpfile") }
    defer { fclose(f) }
    #expect(seccomp_export_pfc(ctx, fileno(f)) == 0)
    let fd = fileno(f)
    lseek(fd, 0, SEEK_SET)
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(fd, &buf, buf.count)
        if n <= 0 { break }
        out += buf[0..<n]
    }
    return String(decoding: out, as: UTF8.self)
}

@Suite struct ActionTranslation {
    @Test func errnoDefaultsToEPERMAndHonoursErrnoRet() throws {
        #expect(try SeccompAction.parse("SCMP_ACT_ERRNO", errnoRet: nil) == .errno(UInt16(EPERM)))
        #expect(try SeccompAction.parse("SCMP_ACT_ERRNO", errnoRet: 38) == .errno(38))
        #expect(try SeccompAction.parse("SCMP_ACT_TRACE", errnoRet: nil) == .trace(UInt16(EPERM)))
        #expect(SeccompAction.errno(38).rawValue == 0x0005_0026)
        #expect(SeccompAction.trace(1).rawValue == 0x7ff0_0001)
    }

    @Test func killIsKillThread() throws {
        #expect(try SeccompAction.parse("SCMP_ACT_KILL", errnoRet: nil) == .killThread)
        #expect(SeccompAction.killThread.rawValue == 0)
        #expect(SeccompAction.killProcess.rawValue == 0x8000_0000)
        #expect(SeccompAction.allow.rawValue == 0x7fff_0000)
        #expect(SeccompAction.notify.rawValue == 0x7fc0_0000)
        #expect(SeccompAction.log.rawValue == 0x7ffc_0000)
        #expect(SeccompAction.trap.rawValue == 0x0003_0000)
    }

    @Test func everyListedNameParses() throws {
        for n in SeccompAction.names { #expect(try SeccompAction.parse(n, errnoRet: nil) != nil, "\(n)") }
        #expect(try SeccompAction.parse("SCMP_ACT_NOPE", errnoRet: nil) == nil)
    }
}

@Suite struct Operators {
    @Test func mapToLibseccompComparisons() {
        let want: [(String, scmp_compare)] = [
            ("SCMP_CMP_NE", SCMP_CMP_NE), ("SCMP_CMP_LT", SCMP_CMP_LT), ("SCMP_CMP_LE", SCMP_CMP_LE),
            ("SCMP_CMP_EQ", SCMP_CMP_EQ), ("SCMP_CMP_GE", SCMP_CMP_GE), ("SCMP_CMP_GT", SCMP_CMP_GT),
            ("SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ),
        ]
        for (name, op) in want { #expect(SeccompOperator(rawValue: name)?.scmp == op, "\(name)") }
        #expect(SeccompOperator.allCases.count == 7)
    }

    @Test func maskedEqualUsesValueAsMaskAndValueTwoAsResult() throws {
        let c = try SeccompFilter.compile(spec("""
        {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["clone"],"action":"SCMP_ACT_ERRNO",
          "args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}]}]}
        """))
        #expect(c.rules.count == 1)
        let cond = try #require(c.rules.first?.conditions.first)
        #expect(cond.scmp.arg == 0 && cond.scmp.op == SCMP_CMP_MASKED_EQ)
        #expect(cond.scmp.datum_a == 0x7E02_0000 && cond.scmp.datum_b == 0)
    }

    @Test func allOperatorsBuildAFilter() throws {
        let args = SeccompOperator.allCases.enumerated().map { i, op in
            """
            {"names":["personality"],"action":"SCMP_ACT_ERRNO","errnoRet":\(i + 1),"args":[{"index":0,"value":\(i + 10),"valueTwo":\(i + 10),"op":"\(op.rawValue)"}]}
            """
        }.joined(separator: ",")
        let c = try SeccompFilter.compile(spec(#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[\#(args)]}"#))
        #expect(c.rules.count == 7)
        #expect(!(try pfc(c)).isEmpty)
    }
}

@Suite struct Rules {
    @Test func unknownSyscallNamesAreSkipped() throws {
        let c = try SeccompFilter.compile(spec("""
        {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","no_such_syscall_xyz","getcwd"],"action":"SCMP_ACT_ERRNO"}]}
        """))
        #expect(c.rules.map(\.syscall) == ["mkdir", "getcwd"])
        #expect(c.skippedSyscalls == ["no_such_syscall_xyz"])
        #expect(c.rules.allSatisfy { $0.action == .errno(UInt16(EPERM)) && $0.conditions.isEmpty })
    }

    @Test func argsOnDistinctIndexesAreANDedInOneRule() throws {
        let c = try SeccompFilter.compile(spec("""
        {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ERRNO","args":[
          {"index":0,"value":2,"op":"SCMP_CMP_EQ"},{"index":1,"value":1,"op":"SCMP_CMP_EQ"}]}]}
        """))
        #expect(c.rules.count == 1)
        #expect(c.rules[0].conditions.map(\.index) == [0, 1])
    }

    @Test func argsSharingAnIndexBecomeSeparateORedRules() throws {
        // runc's special case: two conditions on arg0 cannot be ANDed, one rule each.
        let c = try SeccompFilter.compile(spec("""
        {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ERRNO","args":[
          {"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":0,"value":2,"op":"SCMP_CMP_EQ"},
          {"index":1,"value":3,"op":"SCMP_CMP_EQ"}]}]}
        """))
        #expect(c.rules.count == 3)
        #expect(c.rules.allSatisfy { $0.conditions.count == 1 })
        #expect(c.rules.map { $0.conditions[0].datumA } == [1, 2, 3])
        _ = try pfc(c)
    }

    @Test func ruleWithTheDefaultActionIsDropped() throws {
        let c = try SeccompFilter.compile(spec("""
        {"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"},
          {"names":["rmdir"],"action":"SCMP_ACT_ERRNO","errnoRet":38},{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}
        """))
        #expect(c.rules.map(\.syscall) == ["rmdir", "read"])
        _ = try pfc(c)
    }

    @Test func pfcShowsTheTranslatedRule() throws {
        let c = try SeccompFilter.compile(spec("""
        {"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],
         "syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}
        """))
        let text = try pfc(c)
        #expect(text.contains("mkdir"))
        #expect(text.contains("ERRNO(38)"))
    }

    @Test func architecturesAndFlagsAreAccepted() throws {
        let c = try SeccompFilter.compile(spec("""
        {"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32","SCMP_ARCH_AARCH64","SCMP_ARCH_X86"],
         "flags":["SECCOMP_FILTER_FLAG_TSYNC","SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW"]}
        """))
        #expect(c.architectures == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64"])
        #expect(c.flags == [.tsync, .log, .specAllow])
        #expect(c.rules.isEmpty)
        let ctx = try SeccompFilter.build(c)
        seccomp_release(ctx)
    }
}

@Suite struct Rejections {
    @Test func unknownDefaultAction() throws {
        try expectError(#"{"defaultAction":"SCMP_ACT_BOGUS"}"#) { $0 == .unknownAction("SCMP_ACT_BOGUS", rule: nil) }
    }
    @Test func unknownRuleAction() throws {
        try expectError(#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["mkdir"],"action":"DENY"}]}"#) {
            $0 == .unknownAction("DENY", rule: 1) && $0.description.contains("syscalls[1]")
        }
    }
    @Test func unknownActionEvenForUnknownSyscall() throws {
        try expectError(#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["no_such_syscall_xyz"],"action":"DENY"}]}"#) {
            if case .unknownAction = $0 { return true } else { return false }
        }
    }
    @Test func unknownOperator() throws {
        try expectError(#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":2,"op":"SCMP_CMP_XX"}]}]}"#) {
            $0 == .unknownOperator("SCMP_CMP_XX", syscall: "socket", rule: 0)
        }
    }
    @Test func argumentIndexOutOfRange() throws {
        try expectError(#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":2,"op":"SCMP_CMP_EQ"}]}]}"#) {
            if case .invalidRule(syscall: "socket", rule: 0, _) = $0 { return true } else { return false }
        }
    }
    @Test func unknownArchitecture() throws {
        try expectError(#"{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_Z80"]}"#) { $0 == .unknownArchitecture("SCMP_ARCH_Z80") }
    }
    @Test func unknownFlag() throws {
        try expectError(#"{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_FAST"]}"#) { $0 == .unknownFlag("SECCOMP_FILTER_FLAG_FAST") }
    }
    @Test func waitKillableRecvNeedsNewerLibseccomp() throws {
        let s = try spec(#"{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]}"#)
        if cseccomp_has_waitkill() != 0 {
            try SeccompFilter.validate(s)
        } else {
            #expect(throws: SeccompError.self) { try SeccompFilter.validate(s) }
        }
    }
    @Test func emptySyscallName() throws {
        try expectError(#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":[""],"action":"SCMP_ACT_ERRNO"}]}"#) {
            if case .invalidRule(syscall: "", rule: 0, _) = $0 { return true } else { return false }
        }
    }
    @Test func errnoRetOutOfRange() throws {
        try expectError(#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":70000}]}"#) {
            if case .invalidRule(syscall: "mkdir", rule: 0, _) = $0 { return true } else { return false }
        }
    }
    @Test func notifyMisuse() throws {
        try expectError(#"{"defaultAction":"SCMP_ACT_NOTIFY","listenerPath":"/x"}"#) { if case .notify = $0 { true } else { false } }
        try expectError(#"{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/x","syscalls":[{"names":["write"],"action":"SCMP_ACT_NOTIFY"}]}"#) {
            if case .notify = $0 { true } else { false }
        }
        try expectError(#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}"#) {
            if case .notify(let m) = $0 { m.contains("listenerPath") } else { false }
        }
        let ok = try SeccompFilter.compile(spec(#"{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/x","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}"#))
        #expect(ok.usesNotify)
    }
}

@Suite struct DockerDefault {
    @Test func shapeAndKeySyscalls() throws {
        let p = DefaultSeccompProfile.docker()
        #expect(p.defaultAction == "SCMP_ACT_ERRNO")
        #expect(p.defaultErrnoRet == 1)
        let allowed = Set((p.syscalls ?? []).filter { $0.action == "SCMP_ACT_ALLOW" && ($0.args ?? []).isEmpty }.flatMap(\.names))
        for name in ["read", "write", "execve", "openat", "exit_group", "futex", "chroot", "arch_prctl"] {
            #expect(allowed.contains(name), "\(name) should be allowed")
        }
        let mentioned = Set((p.syscalls ?? []).flatMap(\.names))
        for name in ["kexec_load", "mount", "umount2", "unshare", "setns", "bpf", "init_module", "reboot",
                     "open_by_handle_at", "keyctl", "add_key", "pivot_root", "swapon", "perf_event_open"] {
            #expect(!mentioned.contains(name), "\(name) should be denied")
        }
        #expect(p.architectures?.first == "SCMP_ARCH_X86_64")
    }

    @Test func conditionalRules() throws {
        let p = DefaultSeccompProfile.docker()
        let rules = p.syscalls ?? []
        let personality = rules.filter { $0.names == ["personality"] }
        #expect(personality.compactMap { $0.args?.first?.value }.sorted() == [0, 8, 0x20000, 0x20008, 0xffff_ffff])
        let clone = try #require(rules.first { $0.names == ["clone"] })
        #expect(clone.args?.first?.op == "SCMP_CMP_MASKED_EQ")
        #expect(clone.args?.first?.value == 0x7E02_0000)
        let clone3 = try #require(rules.first { $0.names == ["clone3"] })
        #expect(clone3.action == "SCMP_ACT_ERRNO" && clone3.errnoRet == 38)
        let socket = try #require(rules.first { $0.names == ["socket"] })
        #expect(socket.args?.first?.op == "SCMP_CMP_NE" && socket.args?.first?.value == 40)
    }

    @Test func compilesAndBuilds() throws {
        let c = try SeccompFilter.compile(DefaultSeccompProfile.docker())
        #expect(c.defaultAction == .errno(1))
        #expect(c.rules.count > 300)
        #expect(!c.rules.contains { $0.syscall == "kexec_load" })
        // Names of other arches (e.g. the *32 and *_time64 variants) are not errors.
        let text = try pfc(c)
        #expect(text.contains("execve"))
        try SeccompFilter.validate(DefaultSeccompProfile.docker())
    }

    @Test func noDuplicateNames() {
        let names = DefaultSeccompProfile.allowed + DefaultSeccompProfile.archAllowed
        #expect(Set(names).count == names.count)
    }
}

@Suite struct NotifyHandoff {
    @Test func payloadShape() throws {
        let st = OCI.State(id: "c1", pid: 4242, status: .creating, bundle: "/b", rootfs: "/b/rootfs",
                           created: "2024-01-01T00:00:00.000000000Z")
        let bytes = try SeccompNotify.payload(ContainerProcessState(pid: 4242, metadata: "meta", state: st))
        let obj = try JSONDecoder().decode(ContainerProcessState.self, from: Data(bytes))
        #expect(obj.fds == ["seccompFd"])
        #expect(obj.pid == 4242 && obj.metadata == "meta" && obj.state.id == "c1")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"fds":["seccompFd"],"metadata":"meta","ociVersion":"#))
    }

    @Test func sendsStateToTheListenerSocket() throws {
        let path = "/tmp/wl-seccomp-test-\(getpid()).sock"
        unlink(path)
        defer { unlink(path) }
        let srv = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #expect(srv >= 0)
        defer { close(srv) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(srv, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        #expect(listen(srv, 1) == 0)

        let st = OCI.State(id: "c2", pid: 7, status: .creating, bundle: "/b", rootfs: "/b/rootfs", created: "x")
        try SeccompNotify.send(listenerFD: 0, to: path, state: ContainerProcessState(pid: 7, metadata: nil, state: st))
        let conn = accept(srv, nil, nil)
        #expect(conn >= 0)
        defer { close(conn) }
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = recv(conn, &buf, buf.count, 0)
        #expect(n > 0)
        let got = try JSONDecoder().decode(ContainerProcessState.self, from: Data(buf[0..<max(n, 0)]))
        #expect(got.state.id == "c2" && got.pid == 7)

        #expect(throws: SeccompError.self) {
            try SeccompNotify.send(listenerFD: 0, to: "/tmp/wl-no-such-listener.sock", state: ContainerProcessState(pid: 7, metadata: nil, state: st))
        }
    }
}

@Suite struct Features {
    @Test func listsWhatTheLayerKnows() {
        let f = SeccompFilter.features()
        #expect(f.enabled)
        #expect(f.actions?.contains("SCMP_ACT_NOTIFY") == true)
        #expect(f.operators?.count == 7)
        #expect(f.archs?.contains("SCMP_ARCH_X86_64") == true)
        #expect(f.supportedFlags?.contains("SECCOMP_FILTER_FLAG_TSYNC") == true)
        #expect(SeccompFilter.libraryVersion == SeccompFilter.headerVersion)
    }
}

@Suite struct FetchListenerFD {
    @Test func duplicatesAnFdOfAProcess() throws {
        let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
        #expect(fd >= 0)
        defer { close(fd) }
        let copy = try SeccompNotify.fetchListenerFD(pid: getpid(), fd: fd)
        defer { close(copy) }
        var a = stat(), b = stat()
        #expect(fstat(fd, &a) == 0 && fstat(copy, &b) == 0)
        #expect(a.st_ino == b.st_ino && a.st_dev == b.st_dev && copy != fd)
        #expect(throws: SeccompError.self) { try SeccompNotify.fetchListenerFD(pid: getpid(), fd: 9999) }
    }
}
