// The shared data plane. Every payload a function produces is allocated in an arena the
// host chooses (one per execution), and functions hand payloads to each other as a
// pointer + length into it: no copy, no serialisation, no syscall.
// Arena memory is mmap'ed in page-aligned chunks so a protection layer can later tag each
// chunk with a protection key (pkey_mprotect) without moving data.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

public final class Arena: @unchecked Sendable {
    struct Chunk { let base: UnsafeMutableRawPointer; let size: Int }
    private let lock = Monitor()
    private var chunks: [Chunk] = []
    private var cursor: UnsafeMutableRawPointer? = nil
    private var remaining = 0
    public let chunkSize: Int
    public private(set) var bytesAllocated = 0
    /// Called with every new chunk (the MPK layer tags chunks with the arena's key here).
    public var onChunk: ((UnsafeMutableRawPointer, Int) -> Void)?

    public init(chunkSize: Int = 1 << 20) { self.chunkSize = chunkSize }

    deinit { for c in chunks { munmap(c.base, c.size) } }

    /// Memory regions currently owned by this arena.
    public var regions: [(UnsafeMutableRawPointer, Int)] { lock.withLock { chunks.map { ($0.base, $0.size) } } }

    /// Uninitialised, 16-byte aligned memory that lives as long as the arena.
    public func allocate(_ count: Int) -> UnsafeMutableRawBufferPointer {
        let need = (max(count, 1) + 15) & ~15
        lock.lock(); defer { lock.unlock() }
        if need > remaining {
            let page = 4096
            let size = need > chunkSize / 4 ? (need + page - 1) / page * page : chunkSize
            guard let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED else {
                fatalError("arena: mmap of \(size) bytes failed")
            }
            chunks.append(Chunk(base: p, size: size))
            onChunk?(p, size)
            if size == chunkSize || need <= chunkSize / 4 {
                cursor = p + need; remaining = size - need
                bytesAllocated += need
                return UnsafeMutableRawBufferPointer(start: p, count: count)
            }
            // A dedicated chunk for a large payload; keep bumping in the current chunk.
            bytesAllocated += need
            return UnsafeMutableRawBufferPointer(start: p, count: count)
        }
        let p = cursor!
        cursor = p + need; remaining -= need
        bytesAllocated += need
        return UnsafeMutableRawBufferPointer(start: p, count: count)
    }

    /// Copies `bytes` into the arena.
    public func copy(_ bytes: UnsafeRawBufferPointer) -> Payload {
        let dst = allocate(bytes.count)
        if bytes.count > 0 { dst.copyMemory(from: bytes) }
        return Payload(UnsafeRawBufferPointer(dst), owner: self)
    }

    public func copy(_ bytes: [UInt8]) -> Payload { bytes.withUnsafeBytes { copy($0) } }

    /// Fills `count` bytes in place: the way a function produces a payload without a copy.
    public func payload(count: Int, _ fill: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows -> Payload {
        let dst = allocate(count)
        try fill(dst)
        return Payload(UnsafeRawBufferPointer(dst), owner: self)
    }
}

/// Bytes in an arena: what functions receive and return. Copying a `Payload` copies a
/// pointer and a length; the bytes stay where they are. JSON by convention.
public struct Payload: @unchecked Sendable {
    public let bytes: UnsafeRawBufferPointer
    /// Keeps the arena (or heap storage) alive while the payload is reachable.
    let owner: AnyObject?

    public init(_ bytes: UnsafeRawBufferPointer, owner: AnyObject?) { self.bytes = bytes; self.owner = owner }

    public var count: Int { bytes.count }
    public var baseAddress: UnsafeRawPointer? { bytes.baseAddress }

    /// The payload's text (UTF-8).
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Parses the payload as JSON.
    public func json() throws -> JSON { try JSON.parse(bytes) }

    /// A payload in its own heap storage (outside any arena), e.g. a request body.
    public static func heap(_ bytes: [UInt8]) -> Payload {
        let box = HeapBytes(bytes)
        return Payload(UnsafeRawBufferPointer(start: box.pointer, count: bytes.count), owner: box)
    }
    public static func heap(_ s: String) -> Payload { heap(Array(s.utf8)) }
}

final class HeapBytes {
    let pointer: UnsafeMutableRawPointer
    init(_ bytes: [UInt8]) {
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { if $0.count > 0 { pointer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
    }
    deinit { pointer.deallocate() }
}
