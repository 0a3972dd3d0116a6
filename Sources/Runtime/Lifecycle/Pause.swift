import OCI

extension Runtime {
    /// Freezes every process of the container (cgroup freezer).
    public func pause(id: String) throws {
        let c = try container(id)
        switch c.status {
        case .running, .created: try c.record.cgroups.freeze()
        case .paused: throw RuntimeError.unsupported("container \(id) is already paused")
        default: throw RuntimeError.notRunning
        }
    }

    public func resume(id: String) throws {
        let c = try container(id)
        guard c.status == .paused else { throw RuntimeError.unsupported("container \(id) is not paused") }
        try c.record.cgroups.thaw()
    }

    /// Host pids of the container's processes.
    public func processes(id: String) throws -> [Int32] {
        let c = try container(id)
        guard c.status != .stopped else { return c.record.cgroups.processes() }
        return ContainerProcesses.list(c)
    }
}
