import ArgumentParser
import Glibc
import Logging
import Runtime
import OCI
import Cgroups
import LinuxSystem

public struct Warmlane: ParsableCommand {
    public static let version = "0.1.0"
    public static let configuration = CommandConfiguration(
        commandName: "warmlane",
        abstract: "A runc-compatible OCI runtime for serverless workflow containers.",
        version: "warmlane version \(version)\ncommit: \(BuildInfo.commit)\nspec: \(OCIVersion.current)",
        subcommands: [CreateCommand.self, StartCommand.self, RunCommand.self, StateCommand.self,
                      KillCommand.self, DeleteCommand.self, ListCommand.self, SpecCommand.self,
                      FeaturesCommand.self, PauseCommand.self, ResumeCommand.self, PsCommand.self,
                      ExecCommand.self, UpdateCommand.self, EventsCommand.self])

    public init() {}

    /// Parses runc-style arguments and runs the verb; exits with the verb's status.
    public static func main(arguments: [String]) -> Never {
        Timeline.mark("main")
        let args = GlobalOptions.normalize(arguments)
        // create, run and exec will attach a process to cgroups: start the kernel's grace
        // period for that now, so it passes while we parse (see AttachWarmup).
        if ["create", "run", "exec"].contains(args.first ?? "") { AttachWarmup.start() }
        // The engines' everyday calls skip ArgumentParser's reflection (see EngineFastPath).
        if let (global, call) = EngineFastPath.parse(args) {
            Timeline.mark("arguments parsed")
            let code = runWithRuntime(global, verb: call.verb) { try call.execute($0) }
            AttachWarmup.finish()
            Glibc.exit(code)
        }
        if let verb = args.first, !verb.hasPrefix("-"), verb != "help",
           !configuration.subcommands.contains(where: { $0.configuration.commandName == verb || $0.configuration.aliases.contains(verb) }) {
            let line = "warmlane: unknown command \(verb.debugDescription); see 'warmlane --help'\n"
            _ = line.withCString { fputs($0, stderr) }
            AttachWarmup.finish()
            Glibc.exit(1)
        }
        do {
            var command = try parseAsRoot(args)
            if var verb = command as? RuntimeVerb {
                let code = verb.runVerb()
                AttachWarmup.finish()
                Glibc.exit(code)
            }
            try command.run()
            AttachWarmup.finish()
            Glibc.exit(0)
        } catch {
            // Nothing may outlive a failed command, the warm-up helper included.
            AttachWarmup.finish()
            exit(withError: error)
        }
    }
}

/// A verb that talks to the runtime library. `execute` returns the exit status.
protocol RuntimeVerb: ParsableCommand {
    var global: GlobalOptions { get }
    func execute(_ runtime: Runtime) throws -> Int32
}

extension RuntimeVerb {
    mutating func runVerb() -> Int32 {
        runWithRuntime(global.settings, verb: Self.configuration.commandName ?? "warmlane", execute)
    }

    func run() throws {}
}

/// One of the verbs engines call on every container: its flags map onto an `EngineCall`.
protocol EngineVerb: RuntimeVerb {
    var call: EngineCall { get }
}

extension EngineVerb {
    func execute(_ runtime: Runtime) throws -> Int32 { try call.execute(runtime) }
}

/// Sets up logging and the runtime, runs `body` and returns its exit status. A failure is
/// logged (containerd reports the last error line of the log) and also goes to stderr.
func runWithRuntime(_ global: GlobalSettings, verb: String, _ body: (Runtime) throws -> Int32) -> Int32 {
    let logger = LogSetup.bootstrap(global)
    func fail(_ message: String) -> Int32 {
        logger.error("\(message)")
        if global.log != nil {
            let line = "warmlane: \(message)\n"
            _ = line.withCString { write(2, $0, strlen($0)) }
        }
        return 1
    }
    if global.systemdCgroup {
        return fail("systemd cgroup driver is not supported by warmlane; drop --systemd-cgroup (the cgroupfs driver is used)")
    }
    let runtime = Runtime(root: global.root, logger: logger)
    logger.debug("\(verb): arguments parsed")
    do {
        return try body(runtime)
    } catch {
        return fail("\(error)")
    }
}

enum BuildInfo {
    /// Overridden at build time by the Makefile's version file when present.
    static let commit = "unknown"
}

func printOut(_ s: String) {
    let line = s.hasSuffix("\n") ? s : s + "\n"
    _ = line.withCString { fputs($0, stdout) }
    fflush(stdout)
}
