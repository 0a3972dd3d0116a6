#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import OCI
import LinuxSystem

/// The `--root` directory: one subdirectory per container holding state.json, the
/// container's config.json and, between create and start, the exec fifo.
public struct StateStore: Sendable {
    public let root: String

    public init(root: String) { self.root = FileSystem.absolute(root) }

    public static func validate(id: String) throws {
        let ok = !id.isEmpty && id != "." && id != ".." && id.unicodeScalars.allSatisfy {
            ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || "_+-.".unicodeScalars.contains($0)
        }
        if !ok { throw RuntimeError.invalidID(id) }
    }

    public func directory(_ id: String) -> String { root + "/" + id }
    public func stateFile(_ id: String) -> String { directory(id) + "/state.json" }
    public func execFifo(_ id: String) -> String { directory(id) + "/exec.fifo" }
    public func configFile(_ id: String) -> String { directory(id) + "/config.json" }

    /// Claims the id: mkdir is atomic, so two concurrent creates of one id cannot both win.
    public func reserve(_ id: String) throws {
        try StateStore.validate(id: id)
        try FileSystem.makeDirectories(root, mode: 0o711)
        if mkdir(directory(id), 0o711) != 0 {
            if errno == EEXIST { throw RuntimeError.alreadyExists(id: id) }
            throw SyscallError.last("mkdir", directory(id))
        }
    }

    /// Writes config.json, then state.json (whose presence marks a complete container).
    /// `configJSON` is the bundle's config as read at create time: stored verbatim, it
    /// need not be encoded again on every create. Without it, the record's spec is encoded.
    public func save(_ record: ContainerRecord, configJSON: [UInt8]? = nil) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try FileSystem.writeAtomically(configFile(record.id), try configJSON ?? Array(encoder.encode(record.spec)))
        try FileSystem.writeAtomically(stateFile(record.id), Array(try encoder.encode(record)))
    }

    public func load(_ id: String) throws -> ContainerRecord {
        try StateStore.validate(id: id)
        guard let bytes = try? FileSystem.read(stateFile(id)) else { throw RuntimeError.notExist(id: id) }
        do {
            var record = try JSONDecoder().decode(ContainerRecord.self, from: Data(bytes))
            if let config = try? FileSystem.read(configFile(id)) {
                record.spec = try JSONDecoder().decode(Spec.self, from: Data(config))
            } else {
                // Containers created by earlier versions keep the spec inside state.json;
                // they must stay manageable (state, kill, delete) across an upgrade.
                record.spec = try JSONDecoder().decode(SpecInState.self, from: Data(bytes)).spec
            }
            return record
        } catch {
            throw RuntimeError.config("corrupt state for container \(id): \(error)")
        }
    }

    /// state.json as earlier versions wrote it, with the spec inline.
    private struct SpecInState: Decodable { let spec: Spec }

    public func remove(_ id: String) throws {
        try FileSystem.removeTree(directory(id))
    }

    public func ids() -> [String] {
        FileSystem.listDirectory(root).filter { FileSystem.exists(stateFile($0)) }
    }
}
