#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
@testable import OCI

/// Real config.json files written by runc (`runc spec`), containerd (via its runc shim)
/// and podman (via conmon), captured on the development machine.
struct SpecDecodingTests {
    static func fixture(_ name: String) throws -> Spec {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let url = dir.appendingPathComponent("Fixtures").appendingPathComponent(name + ".json")
        return try JSONDecoder().decode(Spec.self, from: try Data(contentsOf: url))
    }

    @Test func runcDefaultSpec() throws {
        let s = try Self.fixture("runc-spec")
        #expect(OCIVersion.isSupported(s.ociVersion))
        #expect(s.process?.args == ["sh"])
        #expect(s.process?.terminal == true)
        #expect(s.root?.path == "rootfs")
        #expect(s.mounts?.contains { $0.destination == "/dev/pts" && $0.type == "devpts" } == true)
        #expect(s.linux?.namespaces?.map(\.type).contains(.mount) == true)
        #expect(s.linux?.maskedPaths?.contains("/proc/kcore") == true)
    }

    @Test func containerdGeneratedSpec() throws {
        let s = try Self.fixture("containerd-generated")
        #expect(s.process?.args?.isEmpty == false)
        #expect(s.linux?.cgroupsPath?.isEmpty == false)
        #expect(s.linux?.namespaces?.isEmpty == false)
        #expect(s.process?.capabilities?.bounding?.contains("CAP_CHOWN") == true)
    }

    @Test func podmanGeneratedSpec() throws {
        let s = try Self.fixture("podman-generated")
        #expect(s.process?.rlimits?.contains { $0.type == "RLIMIT_NOFILE" && $0.hard == 20000 } == true)
        #expect(s.annotations?.isEmpty == false)
        #expect(s.linux?.seccomp != nil)
        #expect(s.linux?.seccomp?.syscalls?.isEmpty == false)
    }

    @Test func defaultSpecRoundTrips() throws {
        let s = Spec.default()
        let data = try JSONEncoder().encode(s)
        #expect(try JSONDecoder().decode(Spec.self, from: data) == s)
        #expect(s.process?.noNewPrivileges == true)
        #expect(s.root?.readonly == true)
    }

    @Test func rootlessSpecMapsTheCaller() {
        var s = Spec.default()
        s.makeRootless(uid: 1000, gid: 1000)
        #expect(s.linux?.namespaces?.contains { $0.type == .user } == true)
        #expect(s.linux?.namespaces?.contains { $0.type == .network } == false)
        #expect(s.linux?.uidMappings == [IDMapping(containerID: 0, hostID: 1000, size: 1)])
        #expect(s.mounts?.contains { $0.destination == "/sys/fs/cgroup" } == false)
    }

    @Test(arguments: ["1.0.0", "1.0.2-dev", "1.1.0", "1.2.0", "1.3.0-rc.1"])
    func acceptsAnyOneDotX(_ v: String) { #expect(OCIVersion.isSupported(v)) }

    @Test(arguments: ["0.6.0", "2.0.0", ""])
    func rejectsOtherMajors(_ v: String) { #expect(!OCIVersion.isSupported(v)) }

    @Test func unknownFieldsAreIgnoredAndMissingOptionalsAreNil() throws {
        let json = #"{"ociVersion":"1.0.0","root":{"path":"r"},"futureField":{"x":1},"process":{"cwd":"/","user":{"uid":1,"gid":2}}}"#
        let s = try JSONDecoder().decode(Spec.self, from: Data(json.utf8))
        #expect(s.process?.user.uid == 1)
        #expect(s.process?.args == nil)
        #expect(s.linux == nil)
    }

    @Test func stateEncodesEveryRuncField() throws {
        let st = State(id: "a", pid: 7, status: .running, bundle: "/b", rootfs: "/b/rootfs",
                       created: "2026-01-01T00:00:00.000000001Z", owner: "", annotations: [:])
        let obj = try JSONSerializationLike.keys(JSONEncoder().encode(st))
        for k in ["ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner", "annotations"] {
            #expect(obj.contains(k), "missing \(k)")
        }
    }
}

/// Top-level keys of a JSON object, without Foundation's JSONSerialization.
enum JSONSerializationLike {
    static func keys(_ data: Data) throws -> Set<String> {
        struct AnyKey: CodingKey {
            var stringValue: String; var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        struct Keys: Decodable {
            let keys: Set<String>
            init(from d: Decoder) throws { keys = Set(try d.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)) }
        }
        return try JSONDecoder().decode(Keys.self, from: data).keys
    }
}
