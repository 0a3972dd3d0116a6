import ArgumentParser
import Runtime
import OCI

struct ListCommand: RuntimeVerb {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List containers.", aliases: ["ls"])
    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "table or json") var format: ListFormat = .table
    @Flag(name: [.short, .long], help: "Print only ids.") var quiet = false

    enum ListFormat: String, ExpressibleByArgument { case table, json }

    func execute(_ runtime: Runtime) throws -> Int32 {
        let states = runtime.list()
        if quiet {
            for s in states { printOut(s.id) }
            return 0
        }
        switch format {
        case .json:
            printOut(try JSON.compact(states))
        case .table:
            let rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]] +
                states.map { [$0.id, String($0.pid), $0.status.rawValue, $0.bundle, $0.created, $0.owner] }
            printOut(Table.render(rows))
        }
        return 0
    }
}

/// Columns padded like Go's tabwriter as runc uses it (min width 12, padding 1).
enum Table {
    static func render(_ rows: [[String]]) -> String {
        guard let cols = rows.first?.count else { return "" }
        var widths = [Int](repeating: 0, count: cols)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        return rows.map { r in
            r.enumerated().map { i, c in
                i == cols - 1 ? c : c + String(repeating: " ", count: max(12, widths[i] + 1) - c.count)
            }.joined()
        }.joined(separator: "\n")
    }
}
