import ArgumentParser
import Runtime
import OCI

struct StateCommand: EngineVerb {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "Print a container's state as JSON.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Container id.") var id: String

    var call: EngineCall { .state(id: id) }
}
