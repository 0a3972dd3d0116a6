import ArgumentParser
import Runtime
import OCI

struct StateCommand: RuntimeVerb {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "Print a container's state as JSON.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Container id.") var id: String

    func execute(_ runtime: Runtime) throws -> Int32 {
        printOut(try JSON.pretty(runtime.state(id: id)))
        return 0
    }
}
