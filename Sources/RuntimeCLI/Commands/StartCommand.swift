import ArgumentParser
import Runtime

struct StartCommand: RuntimeVerb {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start the user process of a created container.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Container id.") var id: String

    func execute(_ runtime: Runtime) throws -> Int32 {
        try runtime.start(id: id)
        return 0
    }
}
