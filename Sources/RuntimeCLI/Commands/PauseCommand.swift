import ArgumentParser
import Runtime

struct PauseCommand: RuntimeVerb {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Freeze every process of a container.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Container id.") var id: String

    func execute(_ runtime: Runtime) throws -> Int32 {
        try runtime.pause(id: id)
        return 0
    }
}

struct ResumeCommand: RuntimeVerb {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Thaw a paused container.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Container id.") var id: String

    func execute(_ runtime: Runtime) throws -> Int32 {
        try runtime.resume(id: id)
        return 0
    }
}
