// workflow-bench: handoff latency between two functions vs payload size (1 KB .. 100 MB).
//
//   arena        the workflow host: Task A -> Task B in one process; B receives A's payload
//                as a pointer into the shared arena (same lane, as sequential Tasks run)
//   arena+lane   the same, but B runs on another lane (thread): adds one thread wake-up
//   pipe         A and B split into two processes joined by a pipe (B reads every byte)
//   http         a loopback HTTP hop: B is its own workflow host (swift-nio, TCP) and A
//                POSTs {"value": payload} to /run, what a function-per-container workflow pays
//
// Latency = (B has its input) - (A has its output), both on CLOCK_MONOTONIC, which is shared
// by the processes. Median of several runs per size.
import Workflow
import WorkflowServer
#if canImport(Glibc)
import Glibc
#endif

let sizes = [1 << 10, 10 << 10, 100 << 10, 1 << 20, 10 << 20, 100 << 20]
func label(_ n: Int) -> String { n >= 1 << 20 ? "\(n >> 20) MB" : "\(n >> 10) KB" }
func iterations(_ n: Int) -> Int { n >= 10 << 20 ? 7 : (n >= 1 << 20 ? 21 : 101) }
func median(_ xs: [UInt64]) -> Double { let s = xs.sorted(); return Double(s[s.count / 2]) }

/// A JSON string document of exactly `n` bytes ("xxxx…").
func fillJSON(_ buf: UnsafeMutableRawBufferPointer) {
    memset(buf.baseAddress!, Int32(UInt8(ascii: "x")), buf.count)
    buf[0] = UInt8(ascii: "\""); buf[buf.count - 1] = UInt8(ascii: "\"")
}

// MARK: in-process arena

final class Stamp: @unchecked Sendable { var sent: UInt64 = 0; var received: UInt64 = 0; var size = 0; var keep: Payload? }

func arenaBench(otherLane: Bool, prefilled: Bool = false) -> [Int: Double] {
    let stamp = Stamp()
    let app = WorkflowApp(name: "bench")
    app.register("produce") { _, ctx in
        // prefilled: A returns a payload it produced earlier (kept in a long-lived arena), so
        // the measurement excludes after-effects of A's own multi-MB write just before it.
        let p = prefilled ? stamp.keep! : ctx.payload(count: stamp.size, fillJSON)
        stamp.sent = monotonicNanos()
        return p
    }
    app.register("consume") { p, ctx in
        stamp.received = monotonicNanos()
        precondition(p.count == stamp.size)
        return ctx.payload(json: .int(Int64(p.count)))
    }
    let timeout = otherLane ? #","TimeoutSeconds":60"# : ""
    let def = #"{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"produce","Next":"B"},"B":{"Type":"Task","Resource":"consume"\#(timeout),"End":true}}}"#
    let interp = try! Interpreter(definition: def, app: app)
    var out: [Int: Double] = [:]
    for n in sizes {
        stamp.size = n
        let keepArena = Arena()
        stamp.keep = keepArena.payload(count: n, fillJSON)
        var xs: [UInt64] = []
        for _ in 0..<(iterations(n) + 2) {
            guard case .success = interp.execute(.json(.null), arena: Arena(chunkSize: 1 << 20)) else { fatalError("bench workflow failed") }
            xs.append(stamp.received - stamp.sent)
        }
        out[n] = median(Array(xs.dropFirst(2)))
    }
    return out
}

// MARK: child processes

func spawnSelf(_ args: [String], stdin: Int32, stdout: Int32) -> pid_t {
    var fa = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&fa)
    posix_spawn_file_actions_adddup2(&fa, stdin, 0)
    posix_spawn_file_actions_adddup2(&fa, stdout, 1)
    var pid: pid_t = 0
    let exe = "/proc/self/exe"
    let argv = ([exe] + args).map { strdup($0) } + [nil]
    let rc = posix_spawn(&pid, exe, &fa, nil, argv, environ)
    precondition(rc == 0, "posix_spawn failed: \(rc)")
    posix_spawn_file_actions_destroy(&fa)
    return pid
}

func cloexecPipe(_ fds: inout [Int32]) {
    precondition(pipe(&fds) == 0)
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
}

func writeFully(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) {
    var off = 0
    while off < n { let w = write(fd, p + off, n - off); if w < 0 { if errno == EINTR { continue }; fatalError("write: \(errno)") }; off += w }
}
func readFully(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Bool {
    var off = 0
    while off < n { let r = read(fd, p + off, n - off); if r < 0 && errno == EINTR { continue }; if r <= 0 { return false }; off += r }
    return true
}

/// Child B of the pipe split: reads [len][bytes] frames, answers each with its receive time.
func pipeChild() -> Never {
    var buf = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 16)
    var cap = 1
    while true {
        var len = 0
        guard readFully(0, &len, 8) else { exit(0) }
        if len > cap { buf.deallocate(); buf = .allocate(byteCount: len, alignment: 16); cap = len }
        guard readFully(0, buf, len) else { exit(1) }
        var t = monotonicNanos()
        writeFully(1, &t, 8)
    }
}

func pipeBench() -> [Int: Double] {
    var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
    cloexecPipe(&toChild); cloexecPipe(&fromChild)  // the child keeps only its dup2 copies
    let pid = spawnSelf(["--pipe-child"], stdin: toChild[0], stdout: fromChild[1])
    close(toChild[0]); close(fromChild[1])
    var out: [Int: Double] = [:]
    for n in sizes {
        let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: n, alignment: 16)
        fillJSON(payload)
        var xs: [UInt64] = []
        for _ in 0..<(iterations(n) + 2) {
            var len = n
            let t0 = monotonicNanos()
            writeFully(toChild[1], &len, 8)
            writeFully(toChild[1], payload.baseAddress!, n)
            var t1: UInt64 = 0
            precondition(readFully(fromChild[0], &t1, 8))
            xs.append(t1 - t0)
        }
        payload.deallocate()
        out[n] = median(Array(xs.dropFirst(2)))
        progress("  pipe \(label(n)): \(us(out[n]!))")
    }
    close(toChild[1]); close(fromChild[0])
    var st: Int32 = 0; waitpid(pid, &st, 0)
    return out
}

/// Child B of the HTTP hop: a workflow host on loopback TCP whose one Task stamps its input.
func httpChild() -> Never {
    let app = WorkflowApp(name: "bench-http")
    app.register("consume") { p, ctx in
        let t = monotonicNanos()
        return ctx.payload(json: ["t": .int(Int64(t)), "n": .int(Int64(p.count))])
    }
    let interp = try! Interpreter(definition: #"{"StartAt":"B","States":{"B":{"Type":"Task","Resource":"consume","End":true}}}"#, app: app)
    let server = InvocationServer(interpreter: interp)
    let port = try! server.listen(host: "127.0.0.1", port: 0)
    var p = UInt64(port)
    writeFully(1, &p, 8)
    try? server.wait()
    exit(0)
}

func httpBench() -> [Int: Double] {
    var fromChild: [Int32] = [0, 0]
    cloexecPipe(&fromChild)
    let devnull = open("/dev/null", O_RDONLY)
    let pid = spawnSelf(["--http-child"], stdin: devnull, stdout: fromChild[1])
    close(fromChild[1])
    var port: UInt64 = 0
    precondition(readFully(fromChild[0], &port, 8))
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, 4)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET); addr.sin_port = in_port_t(UInt16(port).bigEndian); addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    precondition(rc == 0, "connect failed")
    var out: [Int: Double] = [:]
    var resp = [UInt8](repeating: 0, count: 65536)
    for n in sizes {
        let prefix = Array(#"{"value":"#.utf8), suffix = Array("}".utf8)
        let bodyLen = prefix.count + n + suffix.count
        let head = Array("POST /run HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\nContent-Length: \(bodyLen)\r\n\r\n".utf8)
        let req = UnsafeMutableRawBufferPointer.allocate(byteCount: head.count + bodyLen, alignment: 16)
        req.copyBytes(from: head + prefix)
        fillJSON(UnsafeMutableRawBufferPointer(rebasing: req[(head.count + prefix.count)..<(head.count + prefix.count + n)]))
        req[req.count - 1] = UInt8(ascii: "}")
        var xs: [UInt64] = []
        for _ in 0..<(min(iterations(n), 5) + 1) {
            let t0 = monotonicNanos()
            writeFully(fd, req.baseAddress!, req.count)
            // Read one response (headers + small JSON body).
            var got = 0
            var t1: UInt64 = 0
            while true {
                let r = resp.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, $0.count - got) }
                precondition(r > 0, "http child closed")
                got += r
                let text = String(decoding: resp[0..<got], as: UTF8.self)
                if let bodyStart = text.range(of: "\r\n\r\n")?.upperBound, text.hasSuffix("}"),
                   let v = try? JSON.parse(String(text[bodyStart...])), case .int(let t)? = v["t"] {
                    t1 = UInt64(t); break
                }
            }
            xs.append(t1 - t0)
        }
        req.deallocate()
        out[n] = median(Array(xs.dropFirst(1)))
        progress("  http \(label(n)): \(us(out[n]!))")
    }
    close(fd)
    kill(pid, SIGTERM)
    var st: Int32 = 0; waitpid(pid, &st, 0)
    return out
}

extension String {
    func range(of s: String) -> Range<String.Index>? {
        var i = startIndex
        while i < endIndex { if self[i...].hasPrefix(s) { return i..<index(i, offsetBy: s.count) }; i = index(after: i) }
        return nil
    }
}

// MARK: main

func progress(_ s: String) { fputs(s + "\n", stderr) }

let args = CommandLine.arguments
if args.contains("--pipe-child") { pipeChild() }
if args.contains("--http-child") { httpChild() }
signal(SIGPIPE, SIG_IGN)

func us(_ ns: Double) -> String {
    let u = ns / 1000
    return u >= 1000 ? String(format3(u / 1000)) + " ms" : String(format3(u)) + " us"
}
func format3(_ x: Double) -> String {
    if x >= 100 { return String(Int(x.rounded())) }
    let r = (x * 100).rounded() / 100
    return String(r)
}

progress("arena...")
let arena = arenaBench(otherLane: false)
progress("arena (prefilled)...")
let arenaPrefilled = arenaBench(otherLane: false, prefilled: true)
progress("arena+lane...")
let arenaLane = arenaBench(otherLane: true)
progress("pipe...")
let piped = pipeBench()
progress("http...")
let http = httpBench()

print("Handoff latency between two functions (median; B has input - A has output)")
print("payload    arena        arena+lane   pipe         http(loopback)   pipe/arena   http/arena   arena(prefilled)")
for n in sizes {
    let a = arena[n]!, l = arenaLane[n]!, p = piped[n]!, h = http[n]!
    func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(1, w - s.count)) }
    print(pad(label(n), 11) + pad(us(a), 13) + pad(us(l), 13) + pad(us(p), 13) + pad(us(h), 17)
          + pad(String(Int((p / max(a, 1)).rounded())) + "x", 13) + pad(String(Int((h / max(a, 1)).rounded())) + "x", 13)
          + us(arenaPrefilled[n]!))
}
let big = 100 << 20
let aBig = arena[big]!, ratio = piped[big]! / max(aBig, 1)
let flat = arena.values.max()! / max(arena.values.min()!, 1)
print("")
print("targets: arena handoff at 100 MB <= 10 us: \(aBig <= 10_000 ? "MET" : "MISSED") (\(us(aBig)))")
print("         independent of size (max/min over 1 KB..100 MB = \(format3(flat))x): \(flat < 3 ? "MET" : "MISSED")")
print("         >= 1000x faster than the pipe split at 100 MB: \(ratio >= 1000 ? "MET" : "MISSED") (\(Int(ratio))x)")
let pBig = arenaPrefilled[big]!, pFlat = arenaPrefilled.values.max()! / max(arenaPrefilled.values.min()!, 1)
print("prefilled (payload written before the run, handoff only): 100 MB \(us(pBig)) \(pBig <= 10_000 ? "MET" : "MISSED"), max/min \(format3(pFlat))x, pipe/arena \(Int(piped[big]! / max(pBig, 1)))x")
