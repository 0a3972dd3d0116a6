import ArgumentParser
import Runtime

/// Flags shared by `create` and `run`.
struct CreateFlags: ParsableArguments {
    @Option(name: [.short, .long], help: "Path to the OCI bundle (default: current directory).")
    var bundle: String = "."

    @Option(name: .customLong("pid-file"), help: "File to write the container's init pid to.")
    var pidFile: String?

    @Option(name: .customLong("console-socket"), help: "AF_UNIX socket that receives the pty master.")
    var consoleSocket: String?

    @Flag(name: .customLong("no-pivot"), help: "Use MS_MOVE + chroot instead of pivot_root.")
    var noPivot = false

    @Flag(name: .customLong("no-new-keyring"), help: "Keep the caller's session keyring.")
    var noNewKeyring = false

    @Option(name: .customLong("preserve-fds"), help: "Pass N extra fds (3..3+N-1) to the container.")
    var preserveFDs: Int = 0

    var options: CreateOptions {
        var o = CreateOptions(bundle: bundle)
        o.pidFile = pidFile; o.consoleSocket = consoleSocket; o.noPivot = noPivot
        o.noNewKeyring = noNewKeyring; o.preserveFDs = preserveFDs
        return o
    }
}

struct CreateCommand: EngineVerb {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a container; its process waits for start.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var flags: CreateFlags
    @Argument(help: "Container id.") var id: String

    var call: EngineCall { .create(id: id, flags.options) }
}
