// The OpenWhisk action protocol over HTTP/1.1 (swift-nio), on a Unix socket and optionally TCP.
//   POST /init            -> 200 {"ok":true}
//   POST /run {"value":X} -> 200 <result JSON>, or 502 {"error":"Name: cause","Error":…,"Cause":…}
// The event loop only parses and writes; every execution runs on a host-owned lane.
import NIOCore
import NIOPosix
import NIOHTTP1
import Workflow
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

public final class InvocationServer: @unchecked Sendable {
    public let interpreter: Interpreter
    public let maxBodyBytes: Int
    let group: MultiThreadedEventLoopGroup
    private var channels: [Channel] = []

    public init(interpreter: Interpreter, maxBodyBytes: Int = 1 << 30, ioThreads: Int = 1) {
        self.interpreter = interpreter
        self.maxBodyBytes = maxBodyBytes
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: ioThreads)
    }

    func bootstrap() -> ServerBootstrap {
        let interpreter = self.interpreter, maxBody = self.maxBodyBytes
        return ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 512)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(InvocationHandler(interpreter: interpreter, maxBodyBytes: maxBody))
                }
            }
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
    }

    /// Listens on a Unix socket (the parent directory is created, a stale socket replaced).
    /// The socket is bound under a temporary name and renamed once it listens, so a client
    /// that sees the path can connect (bind creates the file before listen would accept).
    public func listen(unixSocket path: String) throws {
        let dir = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if !dir.isEmpty { mkdirs(dir) }
        let staging = path + ".binding-\(getpid())"
        unlink(staging)
        let ch = try bootstrap().bind(unixDomainSocketPath: staging).wait()
        chmod(staging, 0o666)
        guard rename(staging, path) == 0 else {
            let e = errno
            try? ch.close().wait()
            unlink(staging)
            throw ServerError.socket("cannot place socket at \(path): errno \(e)")
        }
        channels.append(ch)
    }

    /// Listens on TCP; returns the bound port (useful with port 0).
    @discardableResult
    public func listen(host: String = "0.0.0.0", port: Int) throws -> Int {
        let ch = try bootstrap().bind(host: host, port: port).wait()
        channels.append(ch)
        return ch.localAddress?.port ?? port
    }

    /// Blocks until every listener closes.
    public func wait() throws { for c in channels { try c.closeFuture.wait() } }

    public func shutdown() {
        for c in channels { try? c.close().wait() }
        try? group.syncShutdownGracefully()
    }
}

func mkdirs(_ path: String) {
    var cur = ""
    for part in path.split(separator: "/") {
        cur += "/" + part
        mkdir(cur, 0o755)
    }
}

/// One HTTP connection: collects a request, runs it on a lane, writes the reply.
final class InvocationHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let interpreter: Interpreter
    let maxBodyBytes: Int
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var tooLarge = false

    init(interpreter: Interpreter, maxBodyBytes: Int) { self.interpreter = interpreter; self.maxBodyBytes = maxBodyBytes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h; body = nil; tooLarge = false
            if let len = h.headers.first(name: "content-length").flatMap(Int.init), len <= maxBodyBytes {
                body = context.channel.allocator.buffer(capacity: len)
            }
        case .body(var chunk):
            if tooLarge { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > maxBodyBytes { tooLarge = true; body = nil; return }
            if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
        case .end:
            guard let h = head else { return }
            head = nil
            let b = body; body = nil
            handle(context: context, head: h, body: b)
        }
    }

    func handle(context: ChannelHandlerContext, head: HTTPRequestHead, body: ByteBuffer?) {
        let keepAlive = head.isKeepAlive
        let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
        if tooLarge { return reply(context, .payloadTooLarge, errorBody("request body over \(maxBodyBytes) bytes"), keepAlive: false) }
        switch (head.method, path) {
        case (.POST, "/init"):
            reply(context, .ok, Array(#"{"ok":true}"#.utf8), keepAlive: keepAlive)
        case (.POST, "/run"):
            let input: JSON
            do {
                let env: JSON = try body.map { b in try b.withUnsafeReadableBytes { try JSON.parse($0) } } ?? .object(JSONObject())
                input = env["value"] ?? .object(JSONObject())
            } catch {
                return reply(context, .badRequest, errorBody("request body is not JSON: \(error)"), keepAlive: keepAlive)
            }
            let loop = context.eventLoop
            let bound = NIOLoopBound(context, eventLoop: loop)
            let interpreter = self.interpreter
            interpreter.lanes.submit {
                let (status, bytes): (HTTPResponseStatus, [UInt8])
                switch interpreter.execute(.json(input)) {
                case .success(let out): (status, bytes) = (.ok, out.bytes())
                case .failure(let e): (status, bytes) = (.badGateway, errorBody(e))
                }
                loop.execute { self.reply(bound.value, status, bytes, keepAlive: keepAlive) }
            }
        case (.GET, "/"), (.GET, "/health"):
            let info: JSON = ["ok": true, "app": .string(interpreter.app.name), "pid": .int(Int64(getpid()))]
            reply(context, .ok, info.bytes(), keepAlive: keepAlive)
        default:
            reply(context, .notFound, errorBody("no route for \(head.method) \(path); use POST /init or POST /run"), keepAlive: keepAlive)
        }
    }

    func reply(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ bytes: [UInt8], keepAlive: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(bytes.count))
        headers.add(name: "connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { _ in context.close(promise: nil) } }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

/// `{"error": "..."}` as OpenWhisk expects, with the ASL error name and cause alongside.
func errorBody(_ e: ExecutionError) -> [UInt8] {
    let o: JSON = ["error": .string(e.description), "Error": .string(e.name), "Cause": .string(e.cause)]
    return o.bytes()
}

func errorBody(_ message: String) -> [UInt8] {
    let o: JSON = ["error": .string(message)]
    return o.bytes()
}

enum ServerError: Error, CustomStringConvertible {
    case socket(String)
    var description: String {
        switch self { case .socket(let m): return m }
    }
}
