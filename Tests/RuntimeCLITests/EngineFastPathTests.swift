import Testing
@testable import RuntimeCLI

/// The fast reader must agree with ArgumentParser on every list it accepts, and accept the
/// lists engines really send.
struct EngineFastPathTests {
    /// What ArgumentParser makes of `args` (already normalized), if it is an engine verb.
    private func viaArgumentParser(_ args: [String]) -> (GlobalSettings, EngineCall)? {
        guard let verb = try? Warmlane.parseAsRoot(args) as? any EngineVerb else { return nil }
        return (verb.global.settings, verb.call)
    }

    /// Argument lists as containerd's runc shim, conmon (podman) and dockerd send them.
    @Test(arguments: [
        ["--root", "/run/containerd/runc/k8s.io", "--log", "/run/containerd/log.json", "--log-format", "json",
         "create", "--bundle", "/run/containerd/io.containerd.runtime.v2.task/k8s.io/abc", "--pid-file",
         "/run/containerd/io.containerd.runtime.v2.task/k8s.io/abc/init.pid", "abc"],
        ["--root", "/run/containerd/runc/default", "--log", "/l.json", "--log-format", "json", "start", "abc"],
        ["--root", "/r", "--log", "/l.json", "--log-format", "json", "delete", "--force", "abc"],
        ["--root", "/r", "--log", "/l.json", "--log-format", "json", "kill", "--all", "abc", "9"],
        ["--root", "/r", "state", "abc"],
        ["--systemd-cgroup", "--root", "/r", "create", "--bundle", "/b", "--pid-file", "/p",
         "--console-socket", "/tmp/conmon-term.sock", "--no-new-keyring", "abc"],
        ["--log-format=json", "--log=/l", "run", "-d", "--keep", "-b", "/b", "--preserve-fds=2", "abc"],
        ["run", "--bundle", "/b", "abc", "--root", "/r", "--debug"],
        ["kill", "-a", "abc"],
        ["delete", "-f", "abc"],
        ["--root", "/r", "pause", "abc"], ["--root", "/r", "resume", "abc"],
        // containerd's shim and conmon run exec with a process file.
        ["--root", "/r", "--log", "/l.json", "--log-format", "json", "exec", "--process", "/tmp/runc-process1",
         "--detach", "--pid-file", "/p", "abc"],
        ["--root", "/r", "exec", "--pid-file", "/p", "--process", "/x.json", "--detach", "--console-socket", "/s",
         "--preserve-fds", "1", "abc"],
        ["exec", "-t", "--cwd", "/tmp", "-u", "1000:1000", "abc", "sh", "-c", "echo -n hi --detach"],
        ["exec", "abc", "/bin/true"],
    ])
    func enginesArgumentListsTakeTheFastPathAndAgree(_ raw: [String]) throws {
        let args = GlobalOptions.normalize(raw)
        let fast = try #require(EngineFastPath.parse(args))
        let slow = try #require(viaArgumentParser(args))
        #expect(fast.0 == slow.0)
        #expect(fast.1 == slow.1)
    }

    @Test(arguments: [
        ["run", "--help"], ["create", "-h", "x"], ["create"], ["start", "a", "b"], ["kill", "a", "TERM", "x"],
        ["create", "--bundle"], ["create", "--bundle", "--pid-file", "/p", "x"], ["create", "--frobnicate", "x"],
        ["run", "-dx", "a"], ["create", "-b=/b", "x"], ["delete", "--", "x"], ["create", "--preserve-fds", "two", "x"],
        ["state", "--log-format", "xml", "x"], ["delete", "--force", "--force", "x"],
        ["create", "-b", "/a", "--bundle", "/b", "x"], ["list"], ["ps", "x"],
        ["delete", "--force=true", "x"],
        ["exec", "x"], ["exec", "-e", "A=1", "x", "true"], ["exec", "x", "--", "true"], ["exec", "--", "x", "true"],
    ])
    func anythingUnusualIsLeftToArgumentParser(_ args: [String]) {
        #expect(EngineFastPath.parse(args) == nil)
    }

    /// Random lists from each verb's vocabulary: where the fast path answers, ArgumentParser
    /// gives the same answer.
    @Test func randomListsAgreeWithArgumentParser() {
        let common = ["--root", "/r", "--log", "/l", "--log-format", "json", "text", "xml", "--debug",
                      "--systemd-cgroup", "--root=/q", "--log-format=text", "id1", "id2", "", "--", "-x", "=", "-"]
        let vocabulary: [String: [String]] = [
            "create": ["--bundle", "-b", "/b", "--pid-file", "/p", "--console-socket", "/s", "--no-pivot",
                       "--no-new-keyring", "--preserve-fds", "3", "-1", "--bundle=/c", "--preserve-fds=x"],
            "run": ["--bundle", "-b", "/b", "-d", "--detach", "--keep", "--no-pivot", "--preserve-fds", "0", "-db"],
            "start": [], "state": [],
            "kill": ["--all", "-a", "KILL", "9", "SIGTERM"],
            "delete": ["--force", "-f", "-F"],
            "pause": [], "resume": [],
            "exec": ["--process", "-p", "/p.json", "-d", "--detach", "-t", "--tty", "--cwd", "/w", "-u", "0:0",
                     "--pid-file", "/pid", "--ignore-paused", "--no-new-privs", "-e", "A=1", "sh", "-c", "true"],
        ]
        var rng = SplitMix(seed: 0x5eed)
        var accepted = 0
        for (verb, words) in vocabulary.sorted(by: { $0.key < $1.key }) {
            let pool = words + common
            for _ in 0..<400 {
                var args = [verb]
                for _ in 0..<Int(rng.next() % 6) { args.append(pool[Int(rng.next() % UInt64(pool.count))]) }
                guard let fast = EngineFastPath.parse(args) else { continue }
                accepted += 1
                let slow = viaArgumentParser(args)
                #expect(slow?.0 == fast.0, "global flags differ for \(args)")
                #expect(slow?.1 == fast.1, "call differs for \(args)")
            }
        }
        #expect(accepted > 200)
    }
}

/// A small deterministic generator, so a failure names a reproducible list.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
