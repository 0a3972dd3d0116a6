import ArgumentParser
import Simulator
#if canImport(Glibc)
import Glibc
#endif

/// Options shared by the trace subcommands.
struct TraceOptions: ParsableArguments {
    @Option(name: .long, help: "Azure Functions 2019 slice: a directory with invocations.csv, durations.csv, memory.csv.")
    var trace: String

    @Flag(name: .long, inversion: .prefixedNo, help: "Progress on stderr for runs longer than a second.")
    var progress = true

    func load() throws -> AzureTrace2019 {
        do { return try AzureTrace2019(directory: trace) } catch { throw ValidationError("\(error)") }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, json }

func parseList(_ s: String) -> [String] {
    s.split(separator: ",").map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
}

func parseMemories(_ s: String) throws -> [Double] {
    try parseList(s).map {
        guard let v = Double($0), v > 0 else { throw ValidationError("bad memory size '\($0)' (MB)") }
        return v
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

/// Prints "minute m/M, n invocations, r/s" to stderr at most once a second,
/// starting after the first second.
final class ProgressPrinter {
    let start = ContinuousClock.now
    var last = ContinuousClock.now
    var printed = false
    let enabled: Bool
    init(enabled: Bool) { self.enabled = enabled }

    func update(_ minute: Int, _ minutes: Int, _ invocations: Int) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard now - last >= .seconds(1) || (printed && minute == minutes) else { return }
        last = now
        printed = true
        let secs = Double((now - start).components.seconds) + Double((now - start).components.attoseconds) * 1e-18
        let rate = secs > 0 ? Double(invocations) / secs : 0
        let line = "\r  minute \(minute)/\(minutes)  \(invocations) invocations  \(Int(rate)) inv/s (all runs)"
        fputs(line + (minute == minutes ? "\n" : ""), stderr)
    }
}

func printOut(_ s: String) {
    fputs(s, stdout)
    fflush(stdout)
}
