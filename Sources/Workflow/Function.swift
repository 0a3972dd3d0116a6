// The function API: a function takes a payload and a context and returns a payload or
// throws. An app registers its functions by name.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a function sees of the host while it runs.
public struct FunctionContext: @unchecked Sendable {
    /// The registered function name.
    public let functionName: String
    /// The Task state that invoked it.
    public let stateName: String
    public let executionID: String
    /// Where this function allocates its output (the execution's shared arena).
    public let arena: Arena
    /// Monotonic deadline (ns) from TimeoutSeconds, if any.
    public let deadline: UInt64?
    let cancellation: CancellationFlag

    /// True once the host stopped waiting (timeout, or a sibling branch failed). Long-running
    /// functions should check it and return early.
    public var isCancelled: Bool {
        if cancellation.isCancelled { return true }
        if let d = deadline, monotonicNanos() >= d { return true }
        return false
    }

    /// A payload of `count` bytes in the shared arena, filled in place.
    public func payload(count: Int, _ fill: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows -> Payload {
        try arena.payload(count: count, fill)
    }
    public func payload(_ bytes: [UInt8]) -> Payload { arena.copy(bytes) }
    public func payload(_ text: String) -> Payload { arena.copy(Array(text.utf8)) }
    public func payload(json: JSON) -> Payload { arena.copy(json.bytes()) }

    /// Encodes a value as JSON into the arena.
    public func encode<T: Encodable>(_ value: T) throws -> Payload {
        let data = try JSONEncoder().encode(value)
        return data.withUnsafeBytes { arena.copy($0) }
    }
}

extension Payload {
    /// Decodes the JSON payload without copying it out of the arena first.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        guard let base = bytes.baseAddress, count > 0 else { return try JSONDecoder().decode(T.self, from: Data()) }
        let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: count, deallocator: .none)
        return try withExtendedLifetime(self) { try JSONDecoder().decode(T.self, from: data) }
    }
}

/// An error a function throws to choose the ASL error name that Retry and Catch match.
public struct FunctionError: Error, CustomStringConvertible {
    public let name: String
    public let cause: String
    public init(_ name: String, _ cause: String = "") { self.name = name; self.cause = cause }
    public var description: String { cause.isEmpty ? name : "\(name): \(cause)" }
}

public typealias WorkflowFunction = @Sendable (Payload, FunctionContext) throws -> Payload

/// The functions of one workflow app, by name.
public final class WorkflowApp: @unchecked Sendable {
    public private(set) var functions: [String: WorkflowFunction] = [:]
    public let name: String

    public init(name: String) { self.name = name }

    /// Registers a raw function: bytes in, bytes out.
    public func register(_ name: String, _ body: @escaping WorkflowFunction) {
        functions[name] = body
    }

    /// Registers a typed function: JSON decoded into `In`, `Out` encoded back into the arena.
    public func register<In: Decodable, Out: Encodable>(
        _ name: String, _ body: @escaping @Sendable (In, FunctionContext) throws -> Out
    ) {
        functions[name] = { payload, ctx in
            let input: In
            do { input = try payload.decode(In.self) }
            catch { throw FunctionError("InvalidInput", "\(name): cannot decode input as \(In.self): \(error)") }
            return try ctx.encode(try body(input, ctx))
        }
    }

    public func function(named name: String) -> WorkflowFunction? { functions[name] }
}
