import Glibc
import CWarmlane
import OCI
import LinuxSystem
import Seccomp

/// The process attributes applied last, in the order the kernel needs: rlimits while
/// still privileged, then groups and ids (keeping caps), then the capability sets.
struct ProcessSetup {
    let process: OCI.Process
    let inUserNamespace: Bool
    /// The container's filter. Loaded after no_new_privs when that is set; otherwise before
    /// the capability drop, since loading without no_new_privs needs CAP_SYS_ADMIN.
    var seccomp: OCI.Seccomp? = nil

    static let rlimitNumbers: [String: Int32] = [
        "RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3, "RLIMIT_CORE": 4,
        "RLIMIT_RSS": 5, "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7, "RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9,
        "RLIMIT_LOCKS": 10, "RLIMIT_SIGPENDING": 11, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13,
        "RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
    ]

    /// Applies everything; returns the seccomp notify listener fd, if the filter has one.
    @discardableResult
    func apply() throws -> Int32? {
        var listener: Int32?
        let nnp = process.noNewPrivileges == true
        for r in process.rlimits ?? [] {
            guard let n = ProcessSetup.rlimitNumbers[r.type] else { throw RuntimeError.config("unknown rlimit \(r.type)") }
            try syscall("setrlimit", r.type) { wl_setrlimit(n, r.soft, r.hard) }
        }
        let caps = process.capabilities
        let sets = CapabilitySets(
            bounding: Capability.mask(caps?.bounding), effective: Capability.mask(caps?.effective),
            permitted: Capability.mask(caps?.permitted), inheritable: Capability.mask(caps?.inheritable),
            ambient: Capability.mask(caps?.ambient))
        try syscall("prctl(PR_SET_KEEPCAPS)") { wl_prctl(Int32(WL_PR_SET_KEEPCAPS), 1, 0, 0, 0) }
        try sets.applyBounding()

        let user = process.user
        var groups = user.additionalGids ?? []
        if groups.isEmpty || !inUserNamespace || setgroupsAllowed() {
            try syscall("setgroups") { groups.withUnsafeMutableBufferPointer { wl_setgroups($0.count, $0.baseAddress) } }
        }
        if let s = seccomp, !nnp { listener = try SeccompFilter.install(s) }
        try syscall("setresgid", String(user.gid)) { wl_setresgid(user.gid, user.gid, user.gid) }
        try syscall("setresuid", String(user.uid)) { wl_setresuid(user.uid, user.uid, user.uid) }
        try sets.applySets()
        try sets.applyAmbient()
        _ = wl_prctl(Int32(WL_PR_SET_KEEPCAPS), 0, 0, 0, 0)

        umask(mode_t(user.umask ?? 0o022))
        try syscall("chdir", process.cwd) { chdir(process.cwd) }
        if nnp {
            try syscall("prctl(PR_SET_NO_NEW_PRIVS)") { wl_prctl(Int32(WL_PR_SET_NO_NEW_PRIVS), 1, 0, 0, 0) }
            if let s = seccomp { listener = try SeccompFilter.install(s) }
        }
        return listener
    }

    private func setgroupsAllowed() -> Bool {
        (try? FileSystem.readString("/proc/self/setgroups"))?.trimmed != "deny"
    }

    static func environment(_ process: OCI.Process) -> [String] {
        var env = process.env ?? []
        if !env.contains(where: { $0.hasPrefix("HOME=") }) {
            env.append("HOME=" + homeDirectory(uid: process.user.uid))
        }
        return env
    }

    /// Looks the uid up in the container's /etc/passwd; "/" when absent, as runc does.
    static func homeDirectory(uid: UInt32) -> String {
        guard let text = try? FileSystem.readString("/etc/passwd") else { return "/" }
        for line in text.split(separator: "\n") {
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            if f.count >= 6, UInt32(f[2]) == uid { return String(f[5]) }
        }
        return "/"
    }

    /// args[0] resolved against the container's PATH, as execvp would.
    static func resolveExecutable(_ process: OCI.Process) throws -> String {
        guard let name = process.args?.first, !name.isEmpty else {
            throw RuntimeError.config("process.args must not be empty")
        }
        func isExecutableFile(_ p: String) -> Bool {
            var st = stat()
            return stat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && access(p, X_OK) == 0
        }
        if name.contains("/") {
            if isExecutableFile(name) { return name }
            throw RuntimeError.initFailed("exec: \(name.debugDescription): \(FileSystem.exists(name) ? "permission denied" : "no such file or directory")")
        }
        let pathVar = (process.env ?? []).last(where: { $0.hasPrefix("PATH=") }).map { String($0.dropFirst(5)) }
            ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        for dir in pathVar.split(separator: ":") {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + name
            if isExecutableFile(candidate) { return candidate }
        }
        throw RuntimeError.initFailed("exec: \(name.debugDescription): executable file not found in $PATH")
    }

    static func exec(_ process: OCI.Process, preserveFDs: Int) throws -> Never {
        let path = try resolveExecutable(process)
        _ = wl_cloexec_from(3 + Int32(preserveFDs))
        let env = environment(process)
        let argv = process.args ?? []
        _ = withCStringArray(argv) { cargv in withCStringArray(env) { cenv in execve(path, cargv, cenv) } }
        throw SyscallError.last("exec", path)
    }
}
