import Testing
import Glibc
@testable import Runtime
import Cgroups
import LinuxSystem
import OCI

/// State transitions as `state` derives them from disk: pid + start time, exec fifo,
/// freezer. Uses this test process itself as a live "init".
struct StateTests {
    /// Swift Testing runs tests in parallel: each test gets its own root.
    let store = StateStore(root: "/tmp/wl-state-tests-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")

    func record(_ id: String, identity: ProcessIdentity) -> ContainerRecord {
        ContainerRecord(id: id, initProcess: identity, bundle: "/b", rootfs: "/b/rootfs", created: "t", owner: "",
                        spec: Spec.default(), ownPidNamespace: true,
                        cgroups: CgroupSet(directories: [], unified: nil, freezer: nil))
    }

    @Test func createdThenRunningThenStopped() throws {
        defer { try? FileSystem.removeTree(store.root) }
        try store.reserve("c1")
        let me = try #require(ProcessIdentity.of(pid: getpid()))
        try store.save(record("c1", identity: me))
        try FileSystem.write(store.execFifo("c1"), "")
        #expect(try Container.load("c1", store: store).status == .created)
        unlink(store.execFifo("c1"))
        #expect(try Container.load("c1", store: store).status == .running)
        // Same pid, different start time: a recycled pid is not our container.
        try store.save(record("c1", identity: ProcessIdentity(pid: me.pid, startTime: me.startTime + 1)))
        let c = try Container.load("c1", store: store)
        #expect(c.status == .stopped)
        #expect(c.state().pid == 0)
        #expect(c.state().annotations == [:])
    }

    @Test func duplicateAndInvalidIDs() throws {
        defer { try? FileSystem.removeTree(store.root) }
        try store.reserve("dup")
        #expect(throws: RuntimeError.alreadyExists(id: "dup")) { try store.reserve("dup") }
        for bad in ["", ".", "..", "a/b", "sp ace", "x\u{0}"] {
            #expect(throws: RuntimeError.invalidID(bad)) { try store.reserve(bad) }
        }
        #expect(throws: RuntimeError.notExist(id: "missing")) { try store.load("missing") }
    }

    @Test func savedStateRoundTrips() throws {
        defer { try? FileSystem.removeTree(store.root) }
        try store.reserve("rt")
        let r = record("rt", identity: ProcessIdentity(pid: 1, startTime: 2))
        try store.save(r)
        #expect(try store.load("rt") == r)
        #expect(store.ids() == ["rt"])
        #expect(!FileSystem.listDirectory(store.directory("rt")).contains { $0.contains(".tmp") })
    }

    /// create stores the bundle's config.json byte for byte next to state.json; load reads both.
    @Test func configIsKeptVerbatimBesideTheState() throws {
        defer { try? FileSystem.removeTree(store.root) }
        try store.reserve("cfg")
        var r = record("cfg", identity: ProcessIdentity(pid: 1, startTime: 2))
        r.spec.hostname = "verbatim"
        let json = Array("{ \"ociVersion\": \"1.0.2\",\n  \"hostname\": \"verbatim\" }".utf8)
        try store.save(r, configJSON: json)
        #expect(try FileSystem.read(store.configFile("cfg")) == json)
        #expect(try !FileSystem.readString(store.stateFile("cfg")).contains("verbatim"))
        #expect(try store.load("cfg").spec.hostname == "verbatim")
        unlink(store.configFile("cfg"))
        #expect(throws: RuntimeError.self) { try store.load("cfg") }
    }

    /// Earlier versions kept the spec inside state.json; such containers still load.
    @Test func stateWithTheSpecInlineStillLoads() throws {
        defer { try? FileSystem.removeTree(store.root) }
        try store.reserve("old")
        var r = record("old", identity: ProcessIdentity(pid: 1, startTime: 2))
        r.spec.hostname = "inline"
        try store.save(r)
        // Today's state.json ends in "}": put the spec back in, as earlier versions had it.
        let state = try FileSystem.readString(store.stateFile("old"))
        let spec = try FileSystem.readString(store.configFile("old"))
        let legacy = String(state.dropLast()) + ",\"spec\":" + spec + "}"
        try FileSystem.write(store.stateFile("old"), legacy, flags: O_WRONLY | O_TRUNC)
        unlink(store.configFile("old"))
        #expect(try store.load("old") == r)
    }

    @Test func runcErrorWording() {
        #expect(RuntimeError.notExist(id: "x").description == "container x does not exist")
        #expect(RuntimeError.notRunning.description == "container not running")
        #expect(RuntimeError.cannotDelete(id: "x", status: "running").description
                == "cannot delete container x that is not stopped: running")
        #expect(RuntimeError.cannotStart(status: "running").description == "cannot start an already running container")
    }

    @Test func syncMessagesRoundTrip() {
        for m: SyncMessage in [.mapsWritten, .cgroupsJoined, .runCreateRuntimeHooks, .hooksDone, .ready, .error("boom x"),
                               .seccompListener(7), .seccompHandedOver] {
            #expect(SyncMessage(m.encoded) == m)
        }
        #expect(SyncMessage("nonsense") == nil)
    }

    @Test func resourcesMergeKeepsUnsetFields() {
        var old = Resources()
        var m = Resources.Memory(); m.limit = 100; m.reservation = 50
        old.memory = m
        old.pids = .init(limit: 10)
        var new = Resources()
        var m2 = Resources.Memory(); m2.limit = 200
        new.memory = m2
        let r = Resources.merge(old, new)
        #expect(r.memory?.limit == 200)
        #expect(r.memory?.reservation == 50)
        #expect(r.pids?.limit == 10)
    }

    @Test func exitStatusIsShellLike() {
        #expect(exitStatus(3 << 8) == 3)
        #expect(exitStatus(9) == 137)
    }
}
