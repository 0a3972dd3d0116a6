import Runtime

/// A direct reader for the argument lists engines send on every container: create, start,
/// run, state, kill, delete, pause, resume and exec, with runc's global and verb flags.
///
/// ArgumentParser builds its parser by reflection, and in a static binary each new generic
/// type it touches costs a scan of every protocol conformance in the binary: about 2 ms per
/// call, a fifth of a whole `run`. This reader accepts only plain, well-formed lists and
/// returns nil for anything else (help, unknown or repeated flags, `--`, bad values), which
/// then goes to ArgumentParser, so errors and help always come from one place. Tests check
/// that whatever it accepts, ArgumentParser reads the same way.
enum EngineFastPath {
    /// A verb's flags: spellings to a canonical name.
    private struct Grammar {
        var options: [(spelling: String, name: String)]
        var flags: [(spelling: String, name: String)]
        var positionals: ClosedRange<Int>
        /// exec: everything after the id is the command, verbatim.
        var trailingCommand = false
    }

    private static let globalOptions = [("--root", "root"), ("--log", "log"), ("--log-format", "log-format")]
    private static let globalFlags = [("--debug", "debug"), ("--systemd-cgroup", "systemd-cgroup")]
    private static let createOptions = [("--bundle", "bundle"), ("-b", "bundle"), ("--pid-file", "pid-file"),
                                        ("--console-socket", "console-socket"), ("--preserve-fds", "preserve-fds")]
    private static let createFlags = [("--no-pivot", "no-pivot"), ("--no-new-keyring", "no-new-keyring")]

    private static func grammar(_ verb: String) -> Grammar? {
        switch verb {
        case "create": Grammar(options: createOptions, flags: createFlags, positionals: 1...1)
        case "run": Grammar(options: createOptions,
                            flags: createFlags + [("--detach", "detach"), ("-d", "detach"), ("--keep", "keep")],
                            positionals: 1...1)
        case "start", "state", "pause", "resume": Grammar(options: [], flags: [], positionals: 1...1)
        case "exec": Grammar(options: [("--process", "process"), ("-p", "process"), ("--pid-file", "pid-file"),
                                        ("--console-socket", "console-socket"), ("--preserve-fds", "preserve-fds"),
                                        ("--cwd", "cwd"), ("--user", "user"), ("-u", "user")],
                             flags: [("--detach", "detach"), ("-d", "detach"), ("--tty", "tty"), ("-t", "tty"),
                                     ("--ignore-paused", "ignore-paused"), ("--no-new-privs", "no-new-privs")],
                             positionals: 1...1, trailingCommand: true)
        case "kill": Grammar(options: [], flags: [("--all", "all"), ("-a", "all")], positionals: 1...2)
        case "delete": Grammar(options: [], flags: [("--force", "force"), ("-f", "force")], positionals: 1...1)
        default: nil
        }
    }

    /// `args` as `GlobalOptions.normalize` leaves them: the verb first.
    static func parse(_ args: [String]) -> (GlobalSettings, EngineCall)? {
        guard let verb = args.first, let g = grammar(verb) else { return nil }
        let options = g.options + globalOptions
        let flags = g.flags + globalFlags
        var values: [(name: String, value: String)] = []
        var set: [String] = []
        var positionals: [String] = []
        var command: [String] = []
        // ArgumentParser's passthrough treats "--" specially; leave that to it.
        guard !args.contains("--") else { return nil }
        var i = 1
        while i < args.count {
            let a = args[i]
            i += 1
            guard a.hasPrefix("-") else {
                positionals.append(a)
                if g.trailingCommand {
                    command = Array(args[i...])
                    break
                }
                continue
            }
            let parts = a.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let spelling = String(parts[0])
            if let o = options.first(where: { $0.spelling == spelling }) {
                let value: String
                if parts.count == 2 {
                    guard spelling.hasPrefix("--") else { return nil }
                    value = String(parts[1])
                } else {
                    guard i < args.count, !args[i].hasPrefix("-") else { return nil }
                    value = args[i]
                    i += 1
                }
                guard !values.contains(where: { $0.name == o.name }) else { return nil }
                values.append((o.name, value))
            } else if parts.count == 1, let f = flags.first(where: { $0.spelling == spelling }) {
                guard !set.contains(f.name) else { return nil }
                set.append(f.name)
            } else {
                return nil
            }
        }
        guard g.positionals.contains(positionals.count) else { return nil }
        func value(_ name: String) -> String? { values.first { $0.name == name }?.value }

        var global = GlobalSettings()
        if let root = value("root") { global.root = root }
        global.log = value("log")
        if let f = value("log-format") {
            guard let format = LogFormat(rawValue: f) else { return nil }
            global.logFormat = format
        }
        global.debug = set.contains("debug")
        global.systemdCgroup = set.contains("systemd-cgroup")

        let id = positionals[0]
        var create = CreateOptions(bundle: value("bundle") ?? ".")
        create.pidFile = value("pid-file")
        create.consoleSocket = value("console-socket")
        create.noPivot = set.contains("no-pivot")
        create.noNewKeyring = set.contains("no-new-keyring")
        if let n = value("preserve-fds") {
            guard let count = Int(n) else { return nil }
            create.preserveFDs = count
        }
        let call: EngineCall
        switch verb {
        case "create":
            call = .create(id: id, create)
        case "run":
            var run = RunOptions(create: create)
            run.detach = set.contains("detach")
            run.keep = set.contains("keep")
            call = .run(id: id, run)
        case "start": call = .start(id: id)
        case "state": call = .state(id: id)
        case "kill": call = .kill(id: id, signal: positionals.count > 1 ? positionals[1] : "TERM", all: set.contains("all"))
        case "pause": call = .pause(id: id)
        case "resume": call = .resume(id: id)
        case "exec":
            var e = ExecFlags()
            e.process = value("process")
            e.pidFile = create.pidFile
            e.consoleSocket = create.consoleSocket
            e.preserveFDs = create.preserveFDs
            e.cwd = value("cwd")
            e.user = value("user")
            e.detach = set.contains("detach")
            e.tty = set.contains("tty")
            e.ignorePaused = set.contains("ignore-paused")
            e.noNewPrivs = set.contains("no-new-privs")
            e.command = command
            // No command and no process file is an error; ArgumentParser words it.
            guard e.process != nil || !command.isEmpty else { return nil }
            call = .exec(id: id, e)
        default: call = .delete(id: id, force: set.contains("force"))
        }
        return (global, call)
    }
}
