import Testing
import Workflow
@testable import WorkflowServer
#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 request over a Unix socket (Connection: close), for tests.
func request(socket path: String, method: String = "POST", uri: String, body: String) -> (Int, String)? {
    let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var addr = sockaddr_un()
    addr.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &addr.sun_path) { buf in
        for (i, b) in path.utf8.enumerated() where i < buf.count - 1 { buf[i] = b }
    }
    let ok = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard ok == 0 else { return nil }
    let req = Array("\(method) \(uri) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8)
    writeAll(fd: fd, req)
    let resp = String(decoding: readAll(fd: fd), as: UTF8.self)
    guard let headEnd = resp.range(of: "\r\n\r\n"), let status = Int(resp.split(separator: " ").dropFirst().first ?? "") else { return nil }
    return (status, String(resp[headEnd.upperBound...]))
}

extension String {
    func range(of needle: String) -> Range<String.Index>? {
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(needle) { return i..<index(i, offsetBy: needle.count) }
            i = index(after: i)
        }
        return nil
    }
}

func makeServer(_ definition: String, _ app: WorkflowApp) throws -> (InvocationServer, String) {
    let interp = try Interpreter(definition: definition, app: app, config: HostConfig(maxLanes: 32))
    let server = InvocationServer(interpreter: interp)
    let path = "/tmp/wl-server-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
    try server.listen(unixSocket: path)
    return (server, path)
}

@Suite struct ServerTests {
    let def = #"{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"double","Next":"B"},"B":{"Type":"Pass","Parameters":{"out.$":"$"},"End":true}}}"#

    func app() -> WorkflowApp {
        let app = WorkflowApp(name: "t")
        app.register("double") { (n: Int, _) -> Int in
            if n < 0 { throw FunctionError("Negative", "n=\(n)") }
            usleep(20_000)
            return n * 2
        }
        return app
    }

    @Test func initAndRun() throws {
        let (server, path) = try makeServer(def, app())
        defer { server.shutdown(); unlink(path) }
        let i = request(socket: path, uri: "/init", body: "{}")
        #expect(i?.0 == 200)
        let r = request(socket: path, uri: "/run", body: #"{"value": 21}"#)
        #expect(r?.0 == 200)
        #expect(try JSON.parse(r?.1 ?? "") == ["out": 42])
    }

    @Test func functionErrorIsNon2xxWithErrorField() throws {
        let (server, path) = try makeServer(def, app())
        defer { server.shutdown(); unlink(path) }
        let r = request(socket: path, uri: "/run", body: #"{"value": -1}"#)
        #expect(r?.0 == 502)
        let body = try JSON.parse(r?.1 ?? "")
        #expect(body["error"] == .string("Negative: n=-1"))
        #expect(body["Error"] == .string("Negative"))
    }

    @Test func badRequestsAreRejected() throws {
        let (server, path) = try makeServer(def, app())
        defer { server.shutdown(); unlink(path) }
        #expect(request(socket: path, uri: "/run", body: "not json")?.0 == 400)
        #expect(request(socket: path, uri: "/nope", body: "{}")?.0 == 404)
    }

    @Test func concurrentInvocationsAreServedConcurrently() throws {
        let (server, path) = try makeServer(def, app())
        defer { server.shutdown(); unlink(path) }
        let n = 24
        let results = UnsafeMutableBufferPointer<Int>.allocate(capacity: n)
        results.initialize(repeating: -1)
        defer { results.deallocate() }
        let start = monotonicNanos()
        var threads: [pthread_t] = []
        final class Job { let i: Int; let path: String; let out: UnsafeMutableBufferPointer<Int>; init(_ i: Int, _ p: String, _ o: UnsafeMutableBufferPointer<Int>) { self.i = i; path = p; out = o } }
        for i in 0..<n {
            var t = pthread_t()
            let job = Unmanaged.passRetained(Job(i, path, results)).toOpaque()
            pthread_create(&t, nil, { raw in
                let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
                if let (status, body) = request(socket: job.path, uri: "/run", body: #"{"value": \#(job.i)}"#), status == 200,
                   let v = try? JSON.parse(body), case .int(let x)? = v["out"] { job.out[job.i] = Int(x) }
                return nil
            }, job)
            threads.append(t)
        }
        for t in threads { pthread_join(t, nil) }
        let elapsed = Double(monotonicNanos() - start) / 1e9
        #expect(Array(results) == (0..<n).map { $0 * 2 })
        // 24 requests x 20 ms each would take 0.48 s one at a time.
        #expect(elapsed < 0.3)
    }

    @Test func options() throws {
        let o = try WorkflowHost.parse(["--once", "--workflow", "f.json", "--tcp", "8080", "--socket", "/tmp/s"])
        #expect(o.once && o.workflow == "f.json" && o.tcpPort == 8080 && o.socket == "/tmp/s")
        #expect(throws: (any Error).self) { try WorkflowHost.parse(["--bogus"]) }
        #expect(throws: (any Error).self) { try WorkflowHost.parse(["--tcp", "x"]) }
    }

    @Test func passOnlyDefinitionsRunWithAnyApp() throws {
        let d = #"{"StartAt":"M","States":{"M":{"Type":"Map","Iterator":{"StartAt":"p","States":{"p":{"Type":"Pass","Parameters":{"v.$":"$"},"End":true}}},"End":true}}}"#
        let (server, path) = try makeServer(d, WorkflowApp(name: "empty"))
        defer { server.shutdown(); unlink(path) }
        let r = request(socket: path, uri: "/run", body: #"{"value": [1,2]}"#)
        #expect(try JSON.parse(r?.1 ?? "") == [["v": 1], ["v": 2]])
    }
}
