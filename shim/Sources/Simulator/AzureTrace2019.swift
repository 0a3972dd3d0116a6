#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KeepAlive

public struct TraceError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// One function of a trace, interned to `FunctionID` = its index.
public struct TraceFunction: Sendable {
    public var hash: String
    public var spec: FunctionSpec
    /// Warm execution time in seconds.
    public var warmSeconds: Double
    public init(hash: String, spec: FunctionSpec, warmSeconds: Double) {
        self.hash = hash; self.spec = spec; self.warmSeconds = warmSeconds
    }
}

/// An Azure Functions 2019 slice: `invocations.csv`, `durations.csv`,
/// `memory.csv` in one directory (see /work/shared/traces/README.md).
///
/// Conversion (FaasCache's, ASPLOS'21):
/// - memory (GDSF's size) = `AverageAllocatedMb`;
/// - warm time = `Average` (ms);
/// - a cold run takes `Maximum`, so the cold-start cost = `Maximum − Average`;
/// - the n calls of a minute are spread evenly over it: call k (0-based) starts
///   at minuteStart + k·60/n s.
/// Functions missing from durations.csv or memory.csv are skipped and counted.
///
/// Only the small per-function files are read whole. `invocations.csv` is
/// streamed minute by minute (`MinuteStream`): one small read buffer per
/// function row, so memory does not grow with the number of minutes.
public struct AzureTrace2019: Sendable {
    public let directory: String
    public let functions: [TraceFunction]
    public let minuteLabels: [String]
    public let skippedFunctions: Int
    /// Byte offset in invocations.csv of each included row's first minute field.
    let rowOffsets: [Int]

    public var minutes: Int { minuteLabels.count }
    public var durationSeconds: Double { Double(minutes) * 60 }
    public var specs: [FunctionSpec] { functions.map(\.spec) }

    public init(directory: String) throws {
        self.directory = directory
        let durations = try CSVTable(path: directory + "/durations.csv")
        let memory = try CSVTable(path: directory + "/memory.csv")
        let dAvg = try durations.column("Average"), dMax = try durations.column("Maximum")
        let dFn = try durations.column("HashFunction")
        let mFn = try memory.column("HashFunction"), mAvg = try memory.column("AverageAllocatedMb")
        var dur: [String: (Double, Double)] = [:]
        for r in durations.rows where r.count > max(dAvg, dMax, dFn) {
            dur[r[dFn]] = (Double(r[dAvg]) ?? 0, Double(r[dMax]) ?? 0)
        }
        var mem: [String: Double] = [:]
        for r in memory.rows where r.count > max(mFn, mAvg) { mem[r[mFn]] = Double(r[mAvg]) ?? 0 }

        // Scan invocations.csv once for its header and row offsets.
        let file = try ReadFile(path: directory + "/invocations.csv")
        defer { file.close() }
        var reader = ByteReader(file: file, offset: 0, capacity: 1 << 16)
        let header = reader.readLine().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard header.count > 4, header[2] == "HashFunction" else {
            throw TraceError("\(directory)/invocations.csv: expected HashOwner,HashApp,HashFunction,Trigger,<minutes>")
        }
        minuteLabels = Array(header[4...])
        var fns: [TraceFunction] = [], offsets: [Int] = [], skipped = 0
        while !reader.atEOF {
            // fields 0..3, then the offset of field 4
            var fields: [String] = []
            for _ in 0..<4 { fields.append(reader.readField()) }
            let off = reader.fileOffset
            reader.skipLine()
            guard fields.count == 4, !fields[2].isEmpty else { continue }
            guard let d = dur[fields[2]], let m = mem[fields[2]] else { skipped += 1; continue }
            let warm = d.0 / 1000, cost = max(0, d.1 - d.0) / 1000
            fns.append(TraceFunction(hash: fields[2], spec: FunctionSpec(memoryMB: m, coldStartSeconds: cost),
                                     warmSeconds: warm))
            offsets.append(off)
        }
        functions = fns
        rowOffsets = offsets
        skippedFunctions = skipped
    }

    /// A fresh minute-by-minute stream of the arrivals.
    public func stream() throws -> MinuteStream {
        try MinuteStream(path: directory + "/invocations.csv", rowOffsets: rowOffsets, minutes: minutes)
    }
}

/// The arrivals of one minute, sorted by time.
public struct ArrivalBatch {
    public var minuteIndex = 0
    public var times: [Double] = []
    public var functions: [Int32] = []
    public var count: Int { times.count }
    public init(minuteIndex: Int = 0, times: [Double] = [], functions: [Int32] = []) {
        self.minuteIndex = minuteIndex; self.times = times; self.functions = functions
    }
}

/// Streams invocations.csv column by column (minute by minute) with one small
/// buffered cursor per function row.
public final class MinuteStream {
    let file: ReadFile
    var cursors: [ByteReader]
    public let minutes: Int
    public private(set) var nextMinute = 0
    var keys: [UInt64] = []

    init(path: String, rowOffsets: [Int], minutes: Int) throws {
        let f = try ReadFile(path: path)
        file = f
        cursors = rowOffsets.map { ByteReader(file: f, offset: $0, capacity: 256) }
        self.minutes = minutes
    }
    deinit { file.close() }

    /// Fills `batch` with the next minute's arrivals; false at the end.
    public func next(into batch: inout ArrivalBatch) -> Bool {
        guard nextMinute < minutes else { return false }
        keys.removeAll(keepingCapacity: true)
        for r in cursors.indices {
            let n = cursors[r].readCount()
            if n <= 0 { continue }
            let step = 60_000_000 / n    // µs between calls
            for k in 0..<n {
                keys.append(UInt64(k * step) << 24 | UInt64(r))
            }
        }
        keys.sort()
        let base = Double(nextMinute) * 60
        batch.minuteIndex = nextMinute
        batch.times.removeAll(keepingCapacity: true)
        batch.functions.removeAll(keepingCapacity: true)
        for key in keys {
            batch.times.append(base + Double(key >> 24) * 1e-6)
            batch.functions.append(Int32(truncatingIfNeeded: key & 0xFF_FFFF))
        }
        nextMinute += 1
        return true
    }
}

// MARK: - Small file helpers

final class ReadFile: @unchecked Sendable {
    let fd: Int32
    init(path: String) throws {
        fd = open(path, O_RDONLY)
        if fd < 0 { throw TraceError("cannot open \(path): errno \(errno)") }
    }
    func close() { _ = Glibc.close(fd) }
    func read(into buf: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        while true {
            let n = pread(fd, buf.baseAddress, buf.count, off_t(offset))
            if n >= 0 { return n }
            if errno != EINTR { return 0 }
        }
    }
}

/// A buffered forward reader over a file region.
struct ByteReader {
    let file: ReadFile
    var buf: [UInt8]
    var start: Int       // file offset of buf[0]
    var pos = 0
    var len = 0
    var eof = false

    init(file: ReadFile, offset: Int, capacity: Int) {
        self.file = file
        buf = [UInt8](repeating: 0, count: capacity)
        start = offset
    }

    var fileOffset: Int { start + pos }
    var atEOF: Bool { mutating get { peek() == nil } }

    @inline(__always) mutating func peek() -> UInt8? {
        if pos < len { return buf[pos] }
        if eof { return nil }
        start += len; pos = 0
        len = buf.withUnsafeMutableBytes { file.read(into: $0, at: start) }
        if len <= 0 { len = 0; eof = true; return nil }
        return buf[0]
    }

    @inline(__always) mutating func advance() { pos += 1 }

    mutating func readLine() -> String {
        var bytes: [UInt8] = []
        while let b = peek() { advance(); if b == 10 { break }; if b != 13 { bytes.append(b) } }
        return String(decoding: bytes, as: UTF8.self)
    }

    mutating func skipLine() { while let b = peek() { advance(); if b == 10 { break } } }

    mutating func readField() -> String {
        var bytes: [UInt8] = []
        while let b = peek(), b != 10 { advance(); if b == 44 { break }; if b != 13 { bytes.append(b) } }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads one non-negative integer field (a fractional part is dropped) and its delimiter.
    @inline(__always) mutating func readCount() -> Int {
        var v = 0
        var frac = false
        while let b = peek() {
            if b == 44 || b == 10 { advance(); break }
            advance()
            if b == 46 { frac = true } else if !frac && b >= 48 && b <= 57 { v = v &* 10 &+ Int(b &- 48) }
        }
        return v
    }
}

/// A small CSV file read whole (no quoting: the Azure traces have none).
struct CSVTable {
    let header: [String]
    let rows: [[String]]
    init(path: String) throws {
        let file = try ReadFile(path: path)
        defer { file.close() }
        var r = ByteReader(file: file, offset: 0, capacity: 1 << 16)
        header = r.readLine().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var rows: [[String]] = []
        while !r.atEOF {
            let line = r.readLine()
            if line.isEmpty { continue }
            rows.append(line.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
        }
        self.rows = rows
        if header.isEmpty { throw TraceError("\(path): empty") }
    }
    func column(_ name: String) throws -> Int {
        guard let i = header.firstIndex(of: name) else { throw TraceError("missing column \(name)") }
        return i
    }
}
