import ArgumentParser
import Runtime

struct RunCommand: EngineVerb {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Create and start a container; wait for it unless --detach.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var flags: CreateFlags
    @Flag(name: [.short, .long], help: "Detach from the container's process.") var detach = false
    @Flag(help: "Do not delete the container after it exits.") var keep = false
    @Argument(help: "Container id.") var id: String

    var call: EngineCall {
        var o = RunOptions(create: flags.options)
        o.detach = detach
        o.keep = keep
        return .run(id: id, o)
    }
}
