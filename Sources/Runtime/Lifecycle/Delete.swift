import Glibc
import OCI
import LinuxSystem

extension Runtime {
    /// Removes a stopped (or created) container; with `force`, kills a running one first.
    /// Poststop hooks run, then the state directory goes.
    public func delete(id: String, force: Bool = false) throws {
        try StateStore.validate(id: id)
        let c: Container
        do {
            c = try container(id)
        } catch RuntimeError.notExist where force {
            // A half-created container (no state.json) is cleaned up silently with --force.
            if FileSystem.isDirectory(store.directory(id)) { try store.remove(id) }
            return
        }
        try delete(c, force: force)
    }

    func delete(_ c: Container, force: Bool) throws {
        let status = c.status
        switch status {
        case .stopped:
            break
        case .created:
            // Never started: nothing of the user's ran, so no force is needed (as runc).
            try killAndWait(c)
        case .running, .paused, .creating:
            guard force else { throw RuntimeError.cannotDelete(id: c.id, status: status.rawValue) }
            try killAndWait(c)
        }
        try destroy(c)
    }

    func killAndWait(_ c: Container) throws {
        for pid in ContainerProcesses.list(c) { Glibc.kill(pid, SIGKILL) }
        try? c.record.cgroups.thaw()
        // The init is usually not our child: poll until it and its cgroup are empty.
        var waited = 0
        while c.record.initProcess.isAlive || !c.record.cgroups.processes().isEmpty {
            if waited > 10_000 { throw RuntimeError.initFailed("container \(c.id) did not die after SIGKILL") }
            if waited % 100 == 99 { for pid in ContainerProcesses.list(c) { Glibc.kill(pid, SIGKILL) } }
            usleep(1000); waited += 1
        }
    }

    func destroy(_ c: Container) throws {
        // Processes left in the cgroup (no pid namespace, init already gone) die with it.
        if !c.record.cgroups.processes().isEmpty { try killAndWait(c) }
        try c.record.cgroups.destroy()
        do {
            try Hooks.run(.poststop, spec: c.record.spec, state: c.state(status: .stopped))
        } catch {
            logger.warning("\(error)")
        }
        try store.remove(c.id)
    }
}
