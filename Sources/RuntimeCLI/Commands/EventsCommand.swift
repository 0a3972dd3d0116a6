import ArgumentParser
import Glibc
import Runtime
import Cgroups

struct EventsCommand: RuntimeVerb {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "Print container stats (once with --stats, else every interval).")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print stats once and exit.") var stats = false
    @Option(help: "Interval between stats, e.g. 5s, 500ms.") var interval: String = "5s"
    @Argument(help: "Container id.") var id: String

    struct Event: Encodable { let type: String; let id: String; let data: Stats }

    func execute(_ runtime: Runtime) throws -> Int32 {
        let period = try Self.seconds(interval)
        while true {
            let s = try runtime.stats(id: id)
            printOut(try JSON.compact(Event(type: "stats", id: id, data: s)))
            if stats { return 0 }
            usleep(UInt32(period * 1_000_000))
            if (try? runtime.state(id: id))?.status == .stopped { return 0 }
        }
    }

    static func seconds(_ text: String) throws -> Double {
        for (suffix, scale) in [("ms", 0.001), ("s", 1.0), ("m", 60.0)] where text.hasSuffix(suffix) {
            if let v = Double(text.dropLast(suffix.count)), v > 0 { return v * scale }
        }
        throw ValidationError("invalid --interval \(text.debugDescription) (e.g. 5s, 500ms)")
    }
}
