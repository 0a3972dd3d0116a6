import ArgumentParser
import Simulator

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw the hit-ratio curve and the miss ratio of every policy against memory (with the bound) as SVG, and PNG where a converter is installed.")

    @OptionGroup var traceOptions: TraceOptions

    @Option(name: .long, help: "Output directory (must exist).")
    var out = "."

    @Option(name: .long, help: "Comma-separated policies.")
    var policy = PolicyCatalog.defaultSet.joined(separator: ",")

    @Option(name: .long, help: "Comma-separated memory sizes in MB for the policy curves.")
    var memory = "256,512,768,1024,1536,2048,3072,4096,5120,6144,8192,10240,12288"

    @Option(name: .long, help: "SHARDS sampling rate for the sampled hit-ratio curve.")
    var sampleRate = 0.5

    func run() throws {
        let trace = try traceOptions.load()
        let progress = ProgressPrinter(enabled: traceOptions.progress)
        let files = try Plots.draw(trace, policies: parseList(policy), memoriesMB: try parseMemories(memory),
                                   sampleRate: sampleRate, outDir: out, progress: progress.update)
        for f in files { printOut(f + "\n") }
    }
}
