import ArgumentParser
import Runtime

struct StartCommand: EngineVerb {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start the user process of a created container.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Container id.") var id: String

    var call: EngineCall { .start(id: id) }
}
