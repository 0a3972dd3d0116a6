// The process a workflow app runs as: `WorkflowHost.main(app:)` from the app's main.swift.
//
//   <app>                      serve /init and /run on the Unix socket until killed
//   <app> --once               read the workflow input (JSON) on stdin, print the result
//   <app> --workflow FILE      run any ASL definition instead of the built-in one
//   <app> --socket PATH        Unix socket (default $WARMLANE_SOCKET or /run/warmlane/invoke.sock)
//   <app> --tcp PORT           also listen on TCP (or WARMLANE_LISTEN_TCP=PORT, e.g. 8080)
//   <app> --check              validate the definition and exit
//
// The built-in definition is the first of: $WARMLANE_WORKFLOW, `workflow.json` next to the
// executable, ./bundles/<app>/workflow.json, ./workflow.json.
// Limits: WARMLANE_MAX_LANES (threads, default 64), WARMLANE_MAX_FANOUT (per Parallel/Map).
import Workflow
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

public enum WorkflowHost {
    public static let defaultSocket = "/run/warmlane/invoke.sock"

    public struct Options {
        public var once = false
        public var check = false
        public var workflow: String?
        public var socket: String?
        public var tcpPort: Int?
    }

    public static func parse(_ args: [String]) throws -> Options {
        var o = Options()
        var i = 0
        func value(_ flag: String) throws -> String {
            i += 1
            guard i < args.count else { throw UsageError("\(flag) needs a value") }
            return args[i]
        }
        while i < args.count {
            let a = args[i]
            switch a {
            case "--once": o.once = true
            case "--check": o.check = true
            case "--workflow": o.workflow = try value(a)
            case "--socket": o.socket = try value(a)
            case "--tcp":
                guard let p = Int(try value(a)) else { throw UsageError("--tcp needs a port number") }
                o.tcpPort = p
            case "-h", "--help": throw UsageError("")
            default: throw UsageError("unknown argument '\(a)'")
            }
            i += 1
        }
        return o
    }

    struct UsageError: Error { let message: String; init(_ m: String) { message = m } }

    static let usage = """
    usage: APP [--once] [--workflow FILE] [--socket PATH] [--tcp PORT] [--check]
      (no flags)       serve the OpenWhisk action protocol (POST /init, POST /run) on the Unix socket
      --once           read the workflow input as JSON on stdin, print the result JSON on stdout
      --workflow FILE  run this ASL definition instead of the built-in one
      --socket PATH    Unix socket path (default: $WARMLANE_SOCKET or /run/warmlane/invoke.sock)
      --tcp PORT       also serve HTTP on TCP PORT (also: WARMLANE_LISTEN_TCP=PORT)
      --check          load and validate the definition, then exit
    """

    /// Locates the definition to run.
    public static func definitionPath(app: WorkflowApp, explicit: String?) -> String? {
        var candidates: [String] = []
        if let e = explicit { return e }
        if let env = getenv("WARMLANE_WORKFLOW") { candidates.append(String(cString: env)) }
        if let exe = executablePath(), let slash = exe.lastIndex(of: "/") { candidates.append(String(exe[..<slash]) + "/workflow.json") }
        // Without /proc (e.g. under chroot), argv[0] still names the binary's directory.
        if let arg0 = CommandLine.arguments.first, let slash = arg0.lastIndex(of: "/") {
            candidates.append(String(arg0[..<slash]) + "/workflow.json")
        }
        candidates.append("bundles/\(app.name)/workflow.json")
        candidates.append("workflow.json")
        return candidates.first { access($0, R_OK) == 0 }
    }

    static func executablePath() -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Loads the definition and checks it against the app's functions.
    public static func loadInterpreter(app: WorkflowApp, path: String, config: HostConfig = .fromEnvironment()) throws -> Interpreter {
        guard let text = readFile(path) else { throw HostError("cannot read workflow definition '\(path)'") }
        do { return try Interpreter(definition: text, app: app, config: config) }
        catch let e as DefinitionError { throw HostError("\(path): \(e)") }
    }

    public struct HostError: Error, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    /// Entry point for a workflow app's main.swift.
    public static func main(app: WorkflowApp, arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        let opts: Options
        do { opts = try parse(arguments) } catch let e as UsageError {
            if !e.message.isEmpty { writeErr("\(app.name): \(e.message)\n") }
            writeErr(usage + "\n")
            exit(e.message.isEmpty ? 0 : 2)
        } catch { exit(2) }

        guard let path = definitionPath(app: app, explicit: opts.workflow) else {
            writeErr("\(app.name): no workflow definition found (use --workflow FILE or WARMLANE_WORKFLOW)\n")
            exit(2)
        }
        let interpreter: Interpreter
        do { interpreter = try loadInterpreter(app: app, path: path) } catch {
            writeErr("\(app.name): \(error)\n")
            exit(2)
        }
        if opts.check { print("\(path): ok"); exit(0) }
        if opts.once { exit(runOnce(interpreter)) }

        signal(SIGPIPE, SIG_IGN)
        // PID 1 in a container ignores signals without handlers: exit on TERM/INT.
        signal(SIGTERM) { _ in _exit(0) }
        signal(SIGINT) { _ in _exit(0) }
        let server = InvocationServer(interpreter: interpreter)
        do {
            let socket = opts.socket ?? getenv("WARMLANE_SOCKET").map { String(cString: $0) } ?? defaultSocket
            try server.listen(unixSocket: socket)
            var log = "\(app.name): serving \(path) on unix:\(socket)"
            let tcp = opts.tcpPort ?? getenv("WARMLANE_LISTEN_TCP").flatMap { Int(String(cString: $0)) }
            if let tcp {
                let port = try server.listen(port: tcp)
                log += " and tcp:\(port)"
            }
            writeErr(log + "\n")
            try server.wait()
        } catch {
            writeErr("\(app.name): \(error)\n")
            exit(1)
        }
        exit(0)
    }

    /// `--once`: stdin -> one execution -> stdout. Exit status 1 on a workflow error.
    public static func runOnce(_ interpreter: Interpreter) -> Int32 {
        let bytes = readAll(fd: 0)
        let input: JSON
        do { input = bytes.isEmpty ? .object(JSONObject()) : try JSON.parse(bytes) } catch {
            writeOut(errorBody("stdin is not JSON: \(error)") + [0x0A])
            return 1
        }
        switch interpreter.execute(.json(input)) {
        case .success(let out):
            writeOut(out.bytes() + [0x0A])
            return 0
        case .failure(let e):
            writeOut(errorBody(e) + [0x0A])
            return 1
        }
    }
}

func readFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    return String(decoding: readAll(fd: fd), as: UTF8.self)
}

func readAll(fd: Int32) -> [UInt8] {
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        out.append(contentsOf: buf[0..<n])
    }
    return out
}

func writeAll(fd: Int32, _ bytes: [UInt8]) {
    var off = 0
    while off < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        off += n
    }
}

func writeOut(_ bytes: [UInt8]) { writeAll(fd: 1, bytes) }
func writeErr(_ s: String) { writeAll(fd: 2, Array(s.utf8)) }
