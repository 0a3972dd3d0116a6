import ArgumentParser
import Runtime

struct PauseCommand: EngineVerb {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Freeze every process of a container.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Container id.") var id: String

    var call: EngineCall { .pause(id: id) }
}

struct ResumeCommand: EngineVerb {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Thaw a paused container.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Container id.") var id: String

    var call: EngineCall { .resume(id: id) }
}
