import Glibc
import OCI
import LinuxSystem

/// The cgroup directories of one container, in every hierarchy of the host. This is the
/// single type the lifecycle uses: create + join, apply resources, freeze, list, destroy.
public struct CgroupSet: Codable, Sendable, Equatable {
    /// Absolute directories, one per hierarchy (v1 controllers, then the unified tree).
    public var directories: [String]
    public var unified: String?
    public var freezer: String?

    public init(directories: [String], unified: String?, freezer: String?) {
        self.directories = directories; self.unified = unified; self.freezer = freezer
    }

    /// Computes the directories for a container without touching the filesystem.
    public static func plan(cgroupsPath: String?, id: String, layout: CgroupLayout = .detect()) -> CgroupSet {
        var dirs: [String] = []
        var freezer: String?
        let ownCgroups = OwnCgroups.read()
        for h in layout.v1 {
            let own = ownCgroups.path(controller: h.controllers.first)
            let rel = CgroupPath.resolve(cgroupsPath, id: id, ownCgroup: own)
            let dir = Path.clean(h.mountPoint + rel)
            dirs.append(dir)
            if h.controllers.contains("freezer") { freezer = dir }
        }
        var unified: String?
        if let root = layout.unified {
            let rel = CgroupPath.resolve(cgroupsPath, id: id, ownCgroup: ownCgroups.path(controller: nil))
            unified = Path.clean(root + rel)
            dirs.append(unified!)
            if layout.isUnifiedOnly { freezer = unified }
        }
        return CgroupSet(directories: dirs, unified: unified, freezer: freezer)
    }

    public var isUnifiedOnly: Bool { freezer != nil && freezer == unified }

    /// Creates the directories (cheap; done before the init exists, so it can bind them).
    public func create() throws {
        for dir in directories {
            try FileSystem.makeDirectories(dir)
            if dir.containsBytes("/cpuset/") || dir.hasSuffix("/cpuset") { try CpusetController.inherit(dir) }
        }
        if let u = unified, isUnifiedOnly { try CgroupV2.enableControllers(for: u) }
    }

    /// Moves `pid` into every directory. The first move waits for an RCU grace period in
    /// the kernel (cgroup_threadgroup_rwsem), so callers overlap it with other work.
    public func attach(pid: Int32) throws {
        for dir in directories {
            try FileSystem.write(dir + "/cgroup.procs", String(pid), flags: O_WRONLY)
        }
    }

    public func join(pid: Int32) throws {
        try create()
        try attach(pid: pid)
    }

    /// This container's directory in the hierarchy mounted at `mountPoint`.
    public func directory(under mountPoint: String) -> String? {
        directories.first { Path.parent($0) == mountPoint || $0.hasPrefix(mountPoint + "/") }
    }

    public func apply(_ resources: Resources?) throws {
        guard let r = resources else { return }
        if isUnifiedOnly {
            try CgroupV2.apply(r, to: unified!)
            return
        }
        if let u = r.unified, !u.isEmpty {
            // The controllers live in v1 hierarchies here; cgroup2 files would not limit anything.
            throw SyscallError("linux.resources.unified (needs cgroup v2; this host uses v1)", nil, errno: .notSupported)
        }
        for dir in directories {
            if dir.hasPrefix("/sys/fs/cgroup/memory/") { try MemoryController.applyV1(r.memory, dir) }
            if dir.hasPrefix("/sys/fs/cgroup/cpu/") || dir.hasPrefix("/sys/fs/cgroup/cpu,cpuacct/") { try CPUController.applyV1(r.cpu, dir) }
            if dir.hasPrefix("/sys/fs/cgroup/cpuset/") { try CpusetController.applyV1(r.cpu, dir) }
            if dir.hasPrefix("/sys/fs/cgroup/pids/") { try PidsController.applyV1(r.pids, dir) }
            if dir.hasPrefix("/sys/fs/cgroup/devices/") { try DevicesController.applyV1(r.devices, dir) }
            if dir.hasPrefix("/sys/fs/cgroup/blkio/") { try BlockIOController.applyV1(r.blockIO, dir) }
        }
    }

    /// Pids of every process in the container's cgroup.
    public func processes() -> [Int32] {
        let dir = freezer ?? directories.first { $0.containsBytes("/pids/") } ?? directories.first
        guard let dir, let text = try? FileSystem.readString(dir + "/cgroup.procs") else { return [] }
        return text.split(separator: "\n").compactMap { Int32($0) }
    }

    public func freeze() throws { try FreezerController.set(frozen: true, self) }
    public func thaw() throws { try FreezerController.set(frozen: false, self) }
    public var isFrozen: Bool { FreezerController.isFrozen(self) }

    /// Removes the directories; processes must be gone. Retries briefly because the
    /// kernel releases an exited cgroup's tasks asynchronously.
    public func destroy() throws {
        for dir in directories.reversed() where FileSystem.isDirectory(dir) {
            var tries = 0
            while rmdir(dir) != 0 {
                if errno == ENOENT { break }
                tries += 1
                if tries > 200 { throw SyscallError.last("rmdir", dir) }
                usleep(5000)
            }
        }
    }
}
