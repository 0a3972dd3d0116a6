import ArgumentParser

struct WarmlaneShim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warmlane-shim",
        abstract: "Host-side keep-alive daemon, debugging CLI and trace simulator.",
        subcommands: [SimulateCommand.self, HRCCommand.self, PlotCommand.self])
}
