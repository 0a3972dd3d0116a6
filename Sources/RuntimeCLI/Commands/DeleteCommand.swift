import ArgumentParser
import Runtime

struct DeleteCommand: EngineVerb {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a stopped container (or any, with --force).")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.short, .long], help: "Kill the container first if it is still running.") var force = false
    @Argument(help: "Container id.") var id: String

    var call: EngineCall { .delete(id: id, force: force) }
}
