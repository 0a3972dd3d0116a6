import ArgumentParser

/// runc's global flags. Engines put them before the verb (`warmlane --root R create ...`);
/// people often put them after. `normalize` moves leading ones behind the verb so every
/// subcommand parses them in one place.
public struct GlobalOptions: ParsableArguments {
    @Option(help: "Root directory for container state.")
    public var root: String = "/run/warmlane"

    @Option(help: "Log file (default: stderr).")
    public var log: String?

    @Option(name: .customLong("log-format"), help: "Log format: text or json.")
    public var logFormat: LogFormat = .text

    @Flag(help: "Enable debug logging.")
    public var debug = false

    @Flag(name: .customLong("systemd-cgroup"), help: "Use systemd to manage cgroups (not supported).")
    public var systemdCgroup = false

    public init() {}

    /// The parsed values, as the lifecycle code takes them.
    var settings: GlobalSettings {
        GlobalSettings(root: root, log: log, logFormat: logFormat, debug: debug, systemdCgroup: systemdCgroup)
    }

    /// Flags taking a value, so `normalize` knows what to carry along. (Arrays, not sets:
    /// this runs on every command, and a first Set costs a hash seed and more metadata.)
    static let valued = ["--root", "--log", "--log-format"]
    /// runc's --rootless and --criu take a value and mean nothing here: dropped.
    static let ignoredValued = ["--rootless", "--criu"]
    static let flags = ["--debug", "--systemd-cgroup"]

    /// Moves global options found before the verb to just after it.
    public static func normalize(_ args: [String]) -> [String] {
        var globals: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            let name = a.split(separator: "=", maxSplits: 1).first.map(String.init) ?? a
            if ignoredValued.contains(name) {
                if !a.contains("="), i + 1 < args.count { i += 1 }
            } else if valued.contains(name) {
                globals.append(a)
                if !a.contains("="), i + 1 < args.count { globals.append(args[i + 1]); i += 1 }
            } else if flags.contains(a) {
                globals.append(a)
            } else {
                break
            }
            i += 1
        }
        guard i < args.count else { return args }
        return [args[i]] + globals + args[(i + 1)...]
    }
}

/// runc's global flags as plain values, whichever parser read them (see EngineFastPath).
struct GlobalSettings: Equatable {
    var root = "/run/warmlane"
    var log: String?
    var logFormat: LogFormat = .text
    var debug = false
    var systemdCgroup = false
}

public enum LogFormat: String, ExpressibleByArgument, Sendable {
    case text, json
}
