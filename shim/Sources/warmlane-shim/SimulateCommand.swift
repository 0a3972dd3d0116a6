import ArgumentParser
import Simulator

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Replay an Azure Functions 2019 trace through keep-alive policies.",
        discussion: """
        Trace conversion (FaasCache, ASPLOS'21): memory = AverageAllocatedMb; warm time = Average; \
        a cold run takes Maximum, so cost = Maximum - Average; the n calls of a minute are spread \
        evenly over it. Concurrency-aware: a function busy in all its containers needs a new one \
        (a cold start); a request is dropped when no memory can be freed because the rest is busy. \
        Policies: \(PolicyCatalog.all.joined(separator: ", ")) (ours = GD-IAT; bound = PFOO-L lower bound on misses).
        """)

    @OptionGroup var traceOptions: TraceOptions

    @Option(name: .long, help: "Comma-separated policies.")
    var policy = PolicyCatalog.defaultSet.joined(separator: ",")

    @Option(name: .long, help: "Comma-separated memory sizes in MB.")
    var memory = "512,1024,2048,4096,6144,8192"

    @Option(name: .long, help: "table or json (a JSON array, one object per row).")
    var format: OutputFormat = .table

    func run() throws {
        let trace = try traceOptions.load()
        let plan = SimulationPlan(policies: parseList(policy), memoriesMB: try parseMemories(memory))
        let progress = ProgressPrinter(enabled: traceOptions.progress)
        let rows: [SimulationResult]
        do { rows = try plan.run(trace, progress: progress.update) } catch { throw ValidationError("\(error)") }
        switch format {
        case .table:
            printOut("# \(trace.functions.count) functions (\(trace.skippedFunctions) skipped), \(trace.minutes) minutes; "
                     + "missRatio = (cold + dropped) / invocations; bound: PFOO-L lower bound on misses\n")
            printOut(Report.table(rows))
        case .json:
            printOut(Report.json(rows))
        }
    }
}
