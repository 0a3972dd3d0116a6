import Testing
@testable import RuntimeCLI

/// Engines put runc's global flags before the verb; people put them after. Both parse.
struct ArgumentTests {
    @Test func globalsBeforeTheVerbMoveBehindIt() {
        #expect(GlobalOptions.normalize(["--root", "/r", "--log", "/l", "--log-format=json", "state", "x"])
                == ["state", "--root", "/r", "--log", "/l", "--log-format=json", "x"])
        #expect(GlobalOptions.normalize(["--debug", "--systemd-cgroup", "list"]) == ["list", "--debug", "--systemd-cgroup"])
        #expect(GlobalOptions.normalize(["state", "--root", "/r", "x"]) == ["state", "--root", "/r", "x"])
        // runc's --rootless/--criu take a value and are dropped.
        #expect(GlobalOptions.normalize(["--rootless", "false", "--criu=/x", "delete", "a"]) == ["delete", "a"])
    }

    @Test(arguments: [["--root", "/r", "create", "--bundle", "/b", "--pid-file", "/p", "id1"],
                      ["create", "--root", "/r", "-b", "/b", "--pid-file=/p", "id1"],
                      ["create", "-b", "/b", "--pid-file", "/p", "id1", "--root", "/r"]])
    func createParsesWithGlobalsAnywhere(_ args: [String]) throws {
        let cmd = try #require(try Warmlane.parseAsRoot(GlobalOptions.normalize(args)) as? CreateCommand)
        #expect(cmd.global.root == "/r")
        #expect(cmd.flags.bundle == "/b")
        #expect(cmd.flags.pidFile == "/p")
        #expect(cmd.id == "id1")
    }

    @Test func runFlags() throws {
        let cmd = try #require(try Warmlane.parseAsRoot(GlobalOptions.normalize(
            ["--log-format", "json", "run", "-d", "--keep", "--no-pivot", "--no-new-keyring", "--preserve-fds", "2",
             "--console-socket", "/s", "id"])) as? RunCommand)
        #expect(cmd.detach && cmd.keep && cmd.flags.noPivot && cmd.flags.noNewKeyring)
        #expect(cmd.flags.preserveFDs == 2 && cmd.flags.consoleSocket == "/s")
        #expect(cmd.global.logFormat == .json)
    }

    @Test func killDefaultsToTERMAndTakesAll() throws {
        let k = try #require(try Warmlane.parseAsRoot(["kill", "--all", "c", "KILL"]) as? KillCommand)
        #expect(k.all && k.signal == "KILL")
        let d = try #require(try Warmlane.parseAsRoot(["kill", "c"]) as? KillCommand)
        #expect(d.signal == "TERM")
    }

    @Test func execTakesTheCommandVerbatim() throws {
        let e = try #require(try Warmlane.parseAsRoot(GlobalOptions.normalize(
            ["--root", "/r", "exec", "-t", "--env", "A=1", "-e", "B=2", "--cap", "CAP_KILL", "c", "sh", "-c", "echo -n hi"])) as? ExecCommand)
        #expect(e.tty && e.env == ["A=1", "B=2"] && e.cap == ["CAP_KILL"])
        #expect(e.id == "c" && e.command == ["sh", "-c", "echo -n hi"])
    }

    @Test func listAndPsFormats() throws {
        let l = try #require(try Warmlane.parseAsRoot(["list", "--format", "json", "-q"]) as? ListCommand)
        #expect(l.format == .json && l.quiet)
        let p = try #require(try Warmlane.parseAsRoot(["ps", "-f", "json", "c"]) as? PsCommand)
        #expect(p.format == .json)
    }

    @Test func execEnvReplacesKeys() {
        #expect(Environment.merge(["PATH=/bin", "TERM=xterm"], ["TERM=dumb", "A=1"]) == ["PATH=/bin", "TERM=dumb", "A=1"])
    }

    @Test func updateTakesRuncsCpuShareSpelling() throws {
        let u = try #require(try Warmlane.parseAsRoot(["update", "--cpu-share", "300", "c"]) as? UpdateCommand)
        #expect(u.cpuShares == 300)
    }

    @Test func byteSizes() throws {
        #expect(try ByteSize.parse("64m") == 64 << 20)
        #expect(try ByteSize.parse("1G") == 1 << 30)
        #expect(try ByteSize.parse("1024") == 1024)
        #expect(try ByteSize.parse("-1") == -1)
        #expect(throws: (any Error).self) { try ByteSize.parse("lots") }
    }

    @Test func tableIsAligned() {
        let t = Table.render([["ID", "PID"], ["a-very-long-id", "1"]])
        let lines = t.split(separator: "\n")
        #expect(lines[0].firstRange(of: "PID")?.lowerBound.utf16Offset(in: lines[0]) ==
                lines[1].firstRange(of: "1")?.lowerBound.utf16Offset(in: lines[1]))
    }
}
