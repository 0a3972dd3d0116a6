import ArgumentParser
import Runtime
import LinuxSystem

struct KillCommand: EngineVerb {
    static let configuration = CommandConfiguration(commandName: "kill", abstract: "Send a signal to a container's init (default TERM).")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.short, .long], help: "Signal every process of the container.") var all = false
    @Argument(help: "Container id.") var id: String
    @Argument(help: "Signal: a number, KILL or SIGKILL.") var signal: String = "TERM"

    var call: EngineCall { .kill(id: id, signal: signal, all: all) }
}
