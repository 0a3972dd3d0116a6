import ArgumentParser
import Glibc
import Runtime

struct PsCommand: RuntimeVerb {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List a container's processes.")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "table or json (an array of pids)") var format: PsFormat = .table
    @Argument(help: "Container id.") var id: String
    @Argument(parsing: .captureForPassthrough, help: "Options for ps(1) (default -ef).") var psArgs: [String] = []

    enum PsFormat: String, ExpressibleByArgument { case table, json }

    func execute(_ runtime: Runtime) throws -> Int32 {
        let pids = try runtime.processes(id: id)
        if format == .json {
            printOut("[" + pids.map(String.init).joined(separator: ",") + "]")
            return 0
        }
        // As runc: run the host's ps and keep the header plus the container's rows.
        let args = psArgs.first == "--" ? Array(psArgs.dropFirst()) : psArgs
        let output = try ProcessRunner.capture(["ps"] + (args.isEmpty ? ["-ef"] : args))
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        guard let header = lines.first else { return 0 }
        guard let pidColumn = header.split(separator: " ").firstIndex(of: "PID") else {
            throw ValidationError("ps output has no PID column; pass options that print it")
        }
        let wanted = Set(pids)
        var out = [String(header)]
        for line in lines.dropFirst() {
            let cols = line.split(separator: " ")
            if cols.count > pidColumn, let p = Int32(cols[pidColumn]), wanted.contains(p) { out.append(String(line)) }
        }
        printOut(out.joined(separator: "\n"))
        return 0
    }
}

/// Runs a host command and returns its stdout.
enum ProcessRunner {
    static func capture(_ argv: [String]) throws -> String {
        var pipe: [Int32] = [0, 0]
        guard Glibc.pipe(&pipe) == 0 else { throw ValidationError("pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
        posix_spawn_file_actions_addclose(&actions, pipe[0])
        var pid: pid_t = 0
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        let rc = posix_spawnp(&pid, argv[0], &actions, nil, &cargs, environ)
        close(pipe[1])
        guard rc == 0 else { close(pipe[0]); throw ValidationError("cannot run \(argv[0]): error \(rc)") }
        var data: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = read(pipe[0], &buf, buf.count)
            if n > 0 { data.append(contentsOf: buf[0..<n]) } else if n == 0 || errno != EINTR { break }
        }
        close(pipe[0])
        var st: Int32 = 0
        waitpid(pid, &st, 0)
        return String(decoding: data, as: UTF8.self)
    }
}
