import ArgumentParser
import Simulator

struct HRCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hrc",
        abstract: "Reuse distances and the hit-ratio curve (exact and SHARDS-sampled), with static provisioning.")

    @OptionGroup var traceOptions: TraceOptions

    @Option(name: .long, help: "SHARDS sampling rate (0 < R < 1) for the sampled curve.")
    var sampleRate = 0.5

    @Option(name: .long, help: "Target hit ratio for static provisioning.")
    var target = 0.9

    @Option(name: .long, help: "Number of points on the curve.")
    var points = 40

    @Option(name: .long, help: "table or json.")
    var format: OutputFormat = .table

    func run() throws {
        let trace = try traceOptions.load()
        let a = try HRCAnalysis.run(trace, sampleRate: sampleRate, points: points, target: target)
        switch format {
        case .json: printOut(a.json())
        case .table: printOut(a.table())
        }
    }
}
